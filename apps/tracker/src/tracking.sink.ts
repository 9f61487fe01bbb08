import {
  cloudEventEnvelope,
  EventTypes,
  InvalidRecordError,
  Topics,
  TRACKER_HINTS_TOPIC,
  decodeTrackerHint,
  encodeCloudEventRecord,
  encodeEntityHint,
  encodeOverdueTick,
  encodeStateRecord,
  readJsonValue,
  deterministicEventId,
  type CloudEvent,
  type TransitionData,
} from '@hookbus/contracts';
import type { RecordMetadata } from 'kafkajs';
import type { BatchEffects, BatchSink, ConsumedRecord, OutgoingRecord, TransformedRecord } from '@hookbus/kafka';
import {
  applyCommunicationEvent,
  applyProcessEvent,
  coalesceEntityHints,
  learnProcessEntity,
  overdueIndexBound,
  overdueIndexKey,
  overdueNotice,
  type CommunicationState,
  type ProcessState,
} from '@hookbus/tracking';
import type { CommittedState, PartitionedStateStore } from './state-store';

/** What one consumed record asks the tracker to do. */
export type TrackerInput =
  | { readonly type: 'communication'; readonly event: CloudEvent }
  | { readonly type: 'process'; readonly event: CloudEvent }
  | { readonly type: 'entity-hint'; readonly event: CloudEvent }
  | { readonly type: 'overdue-tick'; readonly now: string }
  | { readonly type: 'ignored' };

export const TRACKER_SOURCE = '/hookbus/tracker';

/** Decodes a consumed record into the tracker's input (pure). */
export function trackerInput(record: ConsumedRecord): TrackerInput {
  if (record.topic === TRACKER_HINTS_TOPIC) return decodeTrackerHint(record);
  const value = readJsonValue(record, 'tracker') as Partial<CloudEvent>;
  if (value.type === EventTypes.communicationStatus) return { type: 'communication', event: value as CloudEvent };
  if (value.type === EventTypes.processStatus) return { type: 'process', event: value as CloudEvent };
  // Authvia action events share events.processes.v1 but change no process state.
  if (value.type === EventTypes.processAction) return { type: 'ignored' };
  throw new InvalidRecordError('tracker.unexpected_event_type', `unexpected event type ${JSON.stringify(value.type)} on ${record.topic}`);
}

/** The CloudEvent announcing one accepted change; its id is deterministic so a re-run batch announces the same id. */
export function transitionEvent(transition: TransitionData, cause: { time: string; receiptid: string }): CloudEvent<TransitionData> {
  return cloudEventEnvelope({
    id: deterministicEventId([EventTypes.transition, transition.key, String(transition.seq), transition.causedBy, transition.reason ?? '']),
    type: EventTypes.transition,
    source: TRACKER_SOURCE,
    subject: transition.key,
    time: cause.time,
    provider: transition.provider,
    receiptid: cause.receiptid,
    data: transition,
  });
}

function transitionRecord(event: CloudEvent<TransitionData>): OutgoingRecord {
  return encodeCloudEventRecord({ topic: Topics.transitions.name, event });
}

/**
 * Applies status events to the state machines (libs/tracking) and, in the batch's Kafka transaction, writes the
 * changed states to the compacted state topics (on the input record's partition, which its owner restores),
 * announces transitions, and forwards Credas entity hints to the process's partition (the fewest that teach what the
 * batch's actor events do: coalesceEntityHints). The stores (their cache and their file) change only after the
 * transaction committed, with the changelog offsets the state records got.
 */
export class TrackingSink implements BatchSink<TrackerInput> {
  readonly stage = 'tracker';
  constructor(
    private readonly communications: PartitionedStateStore<CommunicationState>,
    private readonly processes: PartitionedStateStore<ProcessState>,
    private readonly overdueGraceMs: number,
    /** A committed batch could not be written to the store's file (it is repaired from the changelog). */
    private readonly onStoreWriteFailed: (topic: string, error: unknown) => void = () => undefined,
  ) {}

  async onAssigned(assignment: ReadonlyArray<{ topic: string; partitions: number[] }>): Promise<void> {
    const partitions = [...new Set(assignment.flatMap((a) => a.partitions))];
    await Promise.all([this.communications.restore(partitions), this.processes.restore(partitions)]);
  }

  transform(record: ConsumedRecord): TrackerInput {
    return trackerInput(record);
  }

  async flush(items: ReadonlyArray<TransformedRecord<TrackerInput>>, effects: BatchEffects): Promise<void> {
    const partitions = new Set(items.map((item) => item.record.partition));
    for (const partition of partitions) await Promise.all([this.communications.repair(partition), this.processes.repair(partition)]);
    const communications = new Overlay(this.communications);
    const processes = new Overlay(this.processes);
    const out: OutgoingRecord[] = [];
    const announced = new Map<string, number>();
    // Credas actor events whose entity the process's owner must learn; sent once per batch, coalesced (below).
    const hintEvents: CloudEvent[] = [];
    for (const { record, value: input } of items) {
      const partition = record.partition;
      switch (input.type) {
        case 'communication': {
          const key = String((input.event.data as { communicationId?: unknown }).communicationId ?? '');
          const applied = applyCommunicationEvent(communications.get(key, partition), input.event);
          const json = communications.changed(key, partition, applied.state);
          if (json !== null) out.push(stateRecord(Topics.communicationState.name, key, partition, json, input.event));
          out.push(...applied.transitions.map((t) => transitionRecord(transitionEvent(t, input.event))));
          hintEvents.push(input.event);
          break;
        }
        case 'process':
        case 'entity-hint': {
          const key = String((input.event.data as { processKey?: unknown }).processKey ?? '');
          const prev = processes.get(key, partition);
          const applied = input.type === 'process' ? applyProcessEvent(prev, input.event) : learnProcessEntity(prev, input.event);
          const json = applied.state ? processes.changed(key, partition, applied.state) : null;
          if (json !== null) out.push(stateRecord(Topics.processState.name, key, partition, json, input.event));
          out.push(...applied.transitions.map((t) => transitionRecord(transitionEvent(t, input.event))));
          break;
        }
        case 'overdue-tick': {
          const now = new Date(input.now);
          for (const [key, state] of processes.due(partition, overdueIndexBound(now, this.overdueGraceMs))) {
            const notice = overdueNotice(state, now, this.overdueGraceMs);
            const due = overdueIndexKey(state);
            // Two ticks in one batch see the same state: one notice.
            if (!notice || due === null || announced.get(key) === due) continue;
            announced.set(key, due);
            out.push(transitionRecord(transitionEvent(notice, { time: input.now, receiptid: '' })));
          }
          break;
        }
        case 'ignored':
          break;
      }
    }
    for (const event of coalesceEntityHints(hintEvents)) out.push(encodeEntityHint((event.data as { processKey: string }).processKey, event));
    const written = await effects.send(out);
    effects.afterCommit(() => {
      // The transaction is committed: a failed disk write must not fail the batch (it would run again), so the
      // partitions are marked for a replay of their changelog tail before their next batch.
      for (const [store, overlay] of [[this.communications, communications], [this.processes, processes]] as const) {
        try {
          overlay.commit(written);
        } catch (error) {
          store.markStale(partitions);
          this.onStoreWriteFailed(store.topic, error);
        }
      }
      // After the states: an announced process leaves the due index until it changes (state-store settleDue).
      try {
        this.processes.settleDue([...announced].map(([key, due]) => ({ key, due })));
      } catch (error) {
        // Harmless to lose: the next tick announces it again, with the same notice id.
        this.onStoreWriteFailed(this.processes.topic, error);
      }
    });
  }
}

/** Uncommitted changes of one batch over a store. */
class Overlay<S> {
  private readonly pending = new Map<string, CommittedState<S>>();

  constructor(private readonly store: PartitionedStateStore<S>) {}

  get(key: string, partition: number): S | null {
    return this.pending.get(key)?.state ?? this.store.get(key, partition) ?? null;
  }

  /**
   * Records `state` and returns its serialized form (the state record's value) when it differs from what was there,
   * null when it does not (no state record for a no-op).
   */
  changed(key: string, partition: number, state: S): string | null {
    const json = this.store.codec.serialize(state);
    const before = this.pending.get(key)?.json ?? this.store.serialized(key, partition);
    if (before === json) return null;
    this.pending.set(key, { key, partition, state, json });
    return json;
  }

  /** The states of `partition` at or below `dueBefore` in the store's due index, as this batch left them so far. */
  *due(partition: number, dueBefore: number): IterableIterator<[string, S]> {
    const seen = new Set<string>();
    for (const [key, state] of this.store.due(partition, dueBefore)) {
      seen.add(key);
      yield [key, this.pending.get(key)?.state ?? state];
    }
    // Changed earlier in this batch and not yet in the index: the caller checks each state itself.
    for (const [key, change] of this.pending) if (change.partition === partition && !seen.has(key)) yield [key, change.state];
  }

  /**
   * Hands the batch's changes to the store once the transaction committed, with, per partition, the base offset of
   * the last record batch written to the store's topic: the store then reflects the changelog from there on (reading
   * that record batch again at a restore is harmless; skipping one would not be).
   */
  commit(written: readonly RecordMetadata[]): void {
    const offsets = new Map<number, string>();
    for (const { topicName, partition, baseOffset } of written) {
      if (topicName !== this.store.topic || baseOffset === undefined) continue;
      const known = offsets.get(partition);
      if (known === undefined || BigInt(baseOffset) > BigInt(known)) offsets.set(partition, baseOffset);
    }
    this.store.commit([...this.pending.values()], offsets);
    this.pending.clear();
  }
}

function stateRecord(topic: string, key: string, partition: number, value: string, cause: CloudEvent): OutgoingRecord & { partition: number } {
  return encodeStateRecord({ topic, key, partition, value, cause });
}

export function overdueTick(partition: number, now: Date): OutgoingRecord & { partition: number } {
  return encodeOverdueTick(partition, now);
}
