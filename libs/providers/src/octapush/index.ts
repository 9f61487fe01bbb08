export { octapushAdapter, type OctapushCommunicationData, type OctapushCommunicationEvent } from './octapush.adapter';
export { OCTAPUSH_STATUSES, compactStatusName, resolveOctapushStatus, type OctapushStatusEntry } from './octapush-status.table';
export { normalizePhone } from './octapush-phone';
