export {
  cellosignAdapter,
  type CellosignProcessData,
  type CellosignProcessEvent,
  type CellosignSessionSummary,
} from './cellosign.adapter';
export { CELLOSIGN_EVENT_TYPES, resolveCellosignEventType, type CellosignEventEntry } from './cellosign-event.table';
export { MAX_INLINE_STRING_BYTES, omitLargeStrings, type CellosignArchive, type OmittedValue } from './cellosign-archive';
export { cellosignTimeToUtc } from './cellosign-time';
export { cellosignReply } from './cellosign-reply';
