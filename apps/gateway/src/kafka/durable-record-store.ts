import type { Producer } from 'kafkajs';
import { HookbusError, TransientError } from '@hookbus/contracts';
import { CoalescingProducer, type OutgoingRecord } from '@hookbus/kafka';
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
  private readonly coalescing: CoalescingProducer;
  private connected = false;
  private connecting: Promise<void> | null = null;

  constructor(
    private readonly producer: Producer,
    private readonly options: DurableRecordStoreOptions = DEFAULT_STORE_OPTIONS,
    onBatch?: (records: number, millis: number, error?: unknown) => void,
  ) {
    this.coalescing = new CoalescingProducer(producer, options, onBatch);
    producer.on(producer.events.CONNECT, () => (this.connected = true));
    producer.on(producer.events.DISCONNECT, () => (this.connected = false));
  }

  /** One attempt at a time: the spool drainer and the start may both ask while the broker is away. */
  connect(): Promise<void> {
    this.connecting ??= this.producer.connect().then(
      () => {
        this.connected = true;
        this.connecting = null;
      },
      (error: unknown) => {
        this.connecting = null;
        throw error;
      },
    );
    return this.connecting;
  }

  isConnected(): boolean {
    return this.connected;
  }

  /** `signal`: the caller gave up on this write (the spool took it over); a record still queued is withdrawn. */
  store(record: OutgoingRecord, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const withdraw = new AbortController();
      const giveUp = (): void => withdraw.abort();
      signal?.addEventListener('abort', giveUp, { once: true });
      const timer = setTimeout(() => {
        withdraw.abort();
        reject(new TransientError('produce_timeout', `not acknowledged within ${this.options.produceTimeoutMs} ms`));
      }, this.options.produceTimeoutMs);
      const settle = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', giveUp);
      };
      if (signal?.aborted) withdraw.abort();
      this.coalescing.send(record, withdraw.signal).then(
        () => {
          settle();
          resolve();
        },
        (error: unknown) => {
          settle();
          reject(error instanceof HookbusError ? error : new TransientError('produce_failed', 'the broker did not acknowledge the record', { cause: error }));
        },
      );
    });
  }

  /**
   * Sends records in order and waits for the broker's verdict however long the producer's own bounded retries take:
   * the spool drainer retries only after an attempt has settled, so attempts never pile up in the producer's queue.
   */
  async storeAll(records: readonly OutgoingRecord[]): Promise<void> {
    if (!this.connected) await this.connect();
    await this.coalescing.sendAll(records);
  }

  /** Waits (bounded) for every queued record to be settled, then disconnects. */
  async close(timeoutMs = 10_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.coalescing.drain(), new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    await this.producer.disconnect();
  }
}
