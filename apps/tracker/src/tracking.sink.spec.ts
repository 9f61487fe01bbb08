import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka } from 'kafkajs';
import { EventTypes, Topics, TRACKER_HINTS_TOPIC, cloudEventEnvelope, decodeTrackerHint, type CloudEvent } from '@hookbus/contracts';
import type { BatchEffects, OutgoingRecord } from '@hookbus/kafka';
import { communicationStateCodec, processStateCodec, type CommunicationState, type ProcessState } from '@hookbus/tracking';
import { PartitionedStateStore } from './state-store';
import { TrackingSink, type TrackerInput } from './tracking.sink';

// These specs never reach a broker: only the stores' restore and repair talk to Kafka, and no partition is stale here.
const kafka = new Kafka({ brokers: ['127.0.0.1:1'], retry: { retries: 0 } });

function actorEvent(id: string, time: string, processId: string, entityId: string, status: string): CloudEvent {
  const communicationId = `credas:${processId}:11014:sms`;
  return cloudEventEnvelope({
    id,
    type: EventTypes.communicationStatus,
    source: '/webhooks/credas-actor',
    subject: communicationId,
    time,
    provider: 'credas',
    receiptid: `receipt-${id}`,
    data: { communicationId, provider: 'credas', channel: 'sms', status, final: false, providerStatus: { code: status, text: null }, processKey: `credas:${processId}`, processId, entityId, original: {} },
  });
}

describe('TrackingSink: entity hints', () => {
  let dir: string;
  let communications: PartitionedStateStore<CommunicationState>;
  let processes: PartitionedStateStore<ProcessState>;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hookbus-sink-spec-'));
    communications = new PartitionedStateStore(kafka, { dir, topic: Topics.communicationState.name, codec: communicationStateCodec, partitionCount: 2, cacheSize: 10 });
    processes = new PartitionedStateStore(kafka, { dir, topic: Topics.processState.name, codec: processStateCodec, partitionCount: 2, cacheSize: 10 });
  });
  afterEach(() => {
    communications.close();
    processes.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function flush(events: CloudEvent[]): Promise<OutgoingRecord[]> {
    const sink = new TrackingSink(communications, processes, 60_000);
    const sent: OutgoingRecord[] = [];
    const effects: BatchEffects = {
      send: async (records) => {
        sent.push(...records);
        return [];
      },
      heartbeat: async () => undefined,
      afterCommit: (callback) => callback(),
    };
    const items = events.map((event, i) => ({
      record: { topic: Topics.communications.name, partition: 0, offset: String(i), key: null, value: null, headers: {}, timestamp: '0' },
      value: { type: 'communication', event } as TrackerInput,
    }));
    await sink.flush(items, effects);
    return sent;
  }

  it("sends one hint for a batch's actor events of one process and entity: the latest, which teaches what all of them do", async () => {
    const sent = await flush([
      actorEvent('e1', '2025-01-01T10:00:00Z', 'p-1', 'ent-1', 'sent'),
      actorEvent('e2', '2025-01-01T10:01:00Z', 'p-1', 'ent-1', 'delivered'),
      actorEvent('e3', '2025-01-01T10:02:00Z', 'p-1', 'ent-1', 'bounced'),
      actorEvent('f1', '2025-01-01T10:00:30Z', 'p-2', 'ent-2', 'sent'),
    ]);
    const hints = sent.filter((r) => r.topic === TRACKER_HINTS_TOPIC);
    const decoded = hints.map((r) => ({ key: r.key, hint: decodeTrackerHint({ ...r, key: null, value: r.value as Buffer, headers: {}, partition: 0, offset: '0' }) }));
    expect(decoded.map(({ key, hint }) => [key, hint.type === 'entity-hint' ? hint.event.id : hint.type])).toEqual([
      ['credas:p-1', 'e3'],
      ['credas:p-2', 'f1'],
    ]);
    // The communication states and transitions are unchanged by it: one state record per change, one transition each.
    expect(sent.filter((r) => r.topic === Topics.transitions.name)).toHaveLength(4);
  });
});
