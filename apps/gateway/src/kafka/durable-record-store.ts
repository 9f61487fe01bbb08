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
  private renewing = false;
  private closed = false;

  /**
   * `createProducer` makes an idempotent producer: one at start, and a new one after every failed send, so that no
   * batch reuses the sequence numbers of a send that failed but may have been appended (RenewProducerSession, in
   * libs/kafka coalescing-producer.ts, says how that lost acknowledged webhooks).
   */
  constructor(
    private readonly createProducer: () => Producer,
    private readonly options: DurableRecordStoreOptions = DEFAULT_STORE_OPTIONS,
    onBatch?: (records: number, millis: number, error?: unknown) => void,
    /** Told each time a new producer session replaces the one a send failed on. */
    private readonly onSessionRenewed?: () => void,
  ) {
    this.coalescing = new CoalescingProducer(this.watched(createProducer()), options, onBatch, (failed) => this.renewSession(failed));
  }

  private get producer(): Producer {
    return this.coalescing.currentProducer;
  }

  private watched(producer: Producer): Producer {
    producer.on(producer.events.CONNECT, () => {
      if (producer === this.coalescing?.currentProducer) this.connected = true;
    });
    producer.on(producer.events.DISCONNECT, () => {
      // A renewal disconnects the spent producer: that is no reason to answer not ready (readiness without a spool is
      // isConnected(), and a renewal refused while the broker is away would leave it false with nothing to retry it).
      if (producer === this.coalescing?.currentProducer && !this.renewing) this.connected = false;
    });
    return producer;
  }

  private async renewSession(failed: Producer): Promise<Producer> {
    if (this.closed) throw new TransientError('gateway.store_closed', 'the gateway is stopping');
    this.renewing = true;
    try {
      await failed.disconnect().catch(() => undefined);
      const fresh = this.watched(this.createProducer());
      try {
        // connect() asks for a new producer id: the new session's sequence numbers start from 0.
        await fresh.connect();
        if (this.closed) throw new TransientError('gateway.store_closed', 'the gateway is stopping');
      } catch (error) {
        await fresh.disconnect().catch(() => undefined);
        throw error;
      }
      this.connected = true;
      this.onSessionRenewed?.();
      return fresh;
    } finally {
      this.renewing = false;
    }
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
        reject(new TransientError('gateway.produce_timeout', `not acknowledged within ${this.options.produceTimeoutMs} ms`));
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
    if (!this.connected) await this.connect();
    await this.coalescing.sendAll(records);
  }

  /** Waits (bounded) for every queued record to be settled, then disconnects. */
  async close(timeoutMs = 10_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.coalescing.drain(), new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    // A renewal finishing after this disconnects its new producer itself (renewSession checks `closed`).
    this.closed = true;
    await this.producer.disconnect();
  }
}
