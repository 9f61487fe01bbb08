import type { Producer } from 'kafkajs';
import { HookbusError, TransientError } from '@hookbus/contracts';
import { CoalescingProducer, RenewableIdempotentProducer, type OutgoingRecord } from '@hookbus/kafka';
import type { RecordStore } from '../ingress/webhook-ingress';

export interface DurableRecordStoreOptions {
  /**
   * How long a request waits for the broker's acknowledgement before it is answered 503. Authvia counts a
   * delivery as failed after 5 s (docs/providers/authvia.md#delivery-and-retries), so this stays well below it.
   */
  readonly produceTimeoutMs: number;
  readonly lingerMs: number;
  readonly maxBatchRecords: number;
  readonly maxBatchBytes: number;
  /**
   * Bytes that may wait for the broker (not yet in flight) before a request is answered 503 at once: during an
   * outage kafkajs spends tens of seconds on one attempt, and a flood must not pile bodies up until the heap runs out.
   */
  readonly maxQueuedBytes: number;
}

export const DEFAULT_STORE_OPTIONS: DurableRecordStoreOptions = {
  produceTimeoutMs: 2000,
  lingerMs: 2,
  maxBatchRecords: 1000,
  maxBatchBytes: 16 * 1024 * 1024,
  // Four full batches: far above what gathers during one healthy round trip, far below the heap.
  maxQueuedBytes: 64 * 1024 * 1024,
};

/**
 * The gateway's durable write: concurrent requests are coalesced into one idempotent `sendBatch` with acks from
 * all in-sync replicas; a request whose batch is not acknowledged in time is rejected (the caller answers 503) and its
 * record withdrawn if it is still queued. One already in flight may still be written: the provider's retry then
 * makes a duplicate, which downstream deduplicates by deterministic event id — a duplicate is acceptable, a 200 for a
 * lost record is not.
 */
export class DurableRecordStore implements RecordStore {
  private readonly sessions: RenewableIdempotentProducer;
  private readonly coalescing: CoalescingProducer;

  /**
   * `createProducer` makes an idempotent producer: one at start, and a new one after every failed send, so that no
   * batch reuses the sequence numbers of a send that failed but may have been appended (libs/kafka
   * renewable-producer.ts says how that lost acknowledged webhooks).
   */
  constructor(
    createProducer: () => Producer,
    private readonly options: DurableRecordStoreOptions = DEFAULT_STORE_OPTIONS,
    onBatch?: (records: number, millis: number, error?: unknown) => void,
    /** Told each time a new producer session replaces the one a send failed on. */
    onSessionRenewed?: () => void,
  ) {
    this.sessions = new RenewableIdempotentProducer(createProducer, { onRenewed: onSessionRenewed });
    this.coalescing = new CoalescingProducer(this.sessions, options, onBatch);
  }

  /** One attempt at a time: the spool drainer and the start may both ask while the broker is away. */
  connect(): Promise<void> {
    return this.sessions.connect();
  }

  /**
   * Readiness without a spool: a session connected once and the store not closed. A renewal, or one the broker
   * refused, does not make the gateway unready (RenewableIdempotentProducer.isConnected says why).
   */
  isConnected(): boolean {
    return this.sessions.isConnected();
  }

  /** `signal`: the caller gave up on this write (the spool took it over); a record still queued is withdrawn. */
  store(record: OutgoingRecord, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return this.coalescing.send(record, signal);
    return new Promise<void>((resolve, reject) => {
      const queued = this.coalescing.submit(record);
      const giveUp = (): void => queued.withdraw(signal?.reason);
      signal?.addEventListener('abort', giveUp, { once: true });
      const timer = setTimeout(() => {
        queued.withdraw();
        reject(new TransientError('gateway.produce_timeout', `not acknowledged within ${this.options.produceTimeoutMs} ms`));
      }, this.options.produceTimeoutMs);
      const settle = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', giveUp);
      };
      queued.settled.then(
        () => {
          settle();
          resolve();
        },
        (error: unknown) => {
          settle();
          reject(error instanceof HookbusError ? error : new TransientError('gateway.produce_failed', 'the broker did not acknowledge the record', { cause: error }));
        },
      );
    });
  }

  /**
   * Sends records in order and waits for the broker's verdict however long the producer's own retries take (an idempotent kafkajs producer retries retriable errors without bound):
   * the spool drainer retries only after an attempt has settled, so attempts never pile up in the producer's queue.
   */
  async storeAll(records: readonly OutgoingRecord[]): Promise<void> {
    if (!this.sessions.isConnected()) await this.connect();
    await this.coalescing.sendAll(records);
  }

  /** Waits (bounded) for every queued record to be settled, then disconnects. */
  async close(timeoutMs = 10_000): Promise<void> {
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.coalescing.drain(), new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    // A renewal still connecting when the bound is spent disconnects its new producer itself once that settles.
    await this.sessions.disconnect({ renewalWaitMs: Math.max(0, timeoutMs - (Date.now() - started)) });
  }
}
