import type { RecordMetadata } from 'kafkajs';
import { TransientError } from '@hookbus/contracts';
import { MAX_PRODUCE_REQUEST_BYTES, recordBytes, type OutgoingRecord } from './records';
import type { RecordSender } from './renewable-producer';

export interface CoalescingProducerOptions {
  /** Upper bound on how long a record waits for companions before its batch is sent. */
  readonly lingerMs: number;
  readonly maxBatchRecords: number;
  readonly maxBatchBytes: number;
  /**
   * Bound on the bytes waiting for a batch (not yet in flight). Past it a send is refused at once with a retriable
   * `kafka.producer_queue_full`: while the broker is away kafkajs spends tens of seconds on one attempt, and without a
   * bound every caller's body would wait in memory behind it. Default: no bound.
   */
  readonly maxQueuedBytes?: number;
}

/** A record queued by `submit`: its outcome, and how to take it back while it still waits for a batch. */
export interface QueuedRecord {
  readonly settled: Promise<void>;
  /** Withdraws the record if it is still queued (its `settled` rejects with `kafka.produce_withdrawn`); else a no-op. */
  withdraw(reason?: unknown): void;
}

interface Pending {
  readonly record: OutgoingRecord;
  readonly bytes: number;
  resolve(): void;
  reject(error: unknown): void;
  /** Stops listening to the caller's signal (sendAll's): a record in flight can no longer be withdrawn. */
  detach: () => void;
}

/**
 * kafkajs has no `linger.ms`: every `send` is its own produce request. This gathers the records of concurrent
 * callers into one `sendBatch` (acks from all in-sync replicas) while the previous one is in flight, bounded by
 * `lingerMs`, count and bytes, and settles each caller's promise with its batch's outcome. Each batch is one produce
 * request on `sender` — a RenewableIdempotentProducer, which sends the batch after a failed one on a new producer
 * session (renewable-producer.ts says how reusing the failed one lost acknowledged webhooks).
 */
export class CoalescingProducer {
  private queue: Pending[] = [];
  private queuedBytes = 0;
  private inFlight = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly maxInFlight = 1;
  private readonly batchSizes: number[] = [];

  constructor(
    private readonly sender: RecordSender,
    private readonly options: CoalescingProducerOptions = { lingerMs: 2, maxBatchRecords: 500, maxBatchBytes: MAX_PRODUCE_REQUEST_BYTES },
    private readonly onBatch?: (records: number, millis: number, error?: unknown) => void,
  ) {}

  /**
   * Resolves once the broker acknowledged the record's batch. If `signal` aborts while the record is still queued
   * (not yet in flight) it is withdrawn — never sent — and the promise rejects with a retriable `kafka.produce_withdrawn`;
   * once in flight it is the batch's outcome that counts.
   */
  send(record: OutgoingRecord, signal?: AbortSignal): Promise<void> {
    return this.sendAll([record], signal);
  }

  /**
   * Queues records back to back, all or none: a caller that must keep them in order (the spool drainer) never sees
   * a later one accepted after an earlier one was refused for room. Records larger than `maxQueuedBytes` together
   * are accepted only into an empty queue, so one large body is never refused for good.
   */
  sendAll(records: readonly OutgoingRecord[], signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(withdrawn(signal.reason));
    const sizes = records.map(recordBytes);
    const full = this.queueFull(sizes.reduce((sum, size) => sum + size, 0));
    if (full) return Promise.reject(full);
    const queued = records.map((record, i) => this.enqueue(record, sizes[i]!));
    if (signal) for (const { pending } of queued) this.withdrawOnAbort(pending, signal);
    this.schedule();
    return Promise.all(queued.map((q) => q.settled)).then(() => undefined);
  }

  /**
   * One record, as `send`, for a caller that withdraws it itself (the gateway, on its produce timeout): no AbortSignal
   * and listener per record, which cost the gateway about 3 % of its CPU per webhook.
   */
  submit(record: OutgoingRecord): QueuedRecord {
    const bytes = recordBytes(record);
    const full = this.queueFull(bytes);
    if (full) return { settled: Promise.reject(full), withdraw: () => undefined };
    const { settled, pending } = this.enqueue(record, bytes);
    this.schedule();
    return { settled, withdraw: (reason?: unknown) => this.withdraw(pending, reason) };
  }

  /** The refusal for `bytes` more when the queue is past `maxQueuedBytes` (an empty queue takes anything), else null. */
  private queueFull(bytes: number): TransientError | null {
    const limit = this.options.maxQueuedBytes ?? Number.POSITIVE_INFINITY;
    if (this.queue.length === 0 || this.queuedBytes + bytes <= limit) return null;
    return new TransientError('kafka.producer_queue_full', `more than ${limit} bytes are already waiting for the broker`);
  }

  /** Bytes of the records waiting for a batch (what `maxQueuedBytes` bounds). */
  get queuedByteCount(): number {
    return this.queuedBytes;
  }

  /** Resolves when everything queued so far has been settled. */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.inFlight > 0) {
      this.schedule(true);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Recent batch sizes, for metrics and benchmarks. */
  takeBatchSizes(): number[] {
    return this.batchSizes.splice(0);
  }

  private enqueue(record: OutgoingRecord, bytes: number): { settled: Promise<void>; pending: Pending } {
    let pending!: Pending;
    const settled = new Promise<void>((resolve, reject) => (pending = { record, bytes, resolve, reject, detach: () => undefined }));
    this.queue.push(pending);
    this.queuedBytes += bytes;
    return { settled, pending };
  }

  private withdrawOnAbort(pending: Pending, signal: AbortSignal): void {
    const onAbort = (): void => this.withdraw(pending, signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    pending.detach = () => signal.removeEventListener('abort', onAbort);
  }

  /** The caller gave up (its request was answered 503): a record still queued must not reach Kafka after that. */
  private withdraw(pending: Pending, reason: unknown): void {
    const at = this.queue.indexOf(pending);
    if (at < 0) return;
    this.queue.splice(at, 1);
    this.queuedBytes -= pending.bytes;
    pending.reject(withdrawn(reason));
  }

  private schedule(now = false): void {
    if (this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    const full = this.queue.length >= this.options.maxBatchRecords || this.queuedBytes >= this.options.maxBatchBytes;
    if (now || full) {
      this.flush();
      return;
    }
    if (!this.timer) this.timer = setTimeout(() => this.flush(), this.options.lingerMs);
  }

  private flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    const batch: Pending[] = [];
    let bytes = 0;
    while (this.queue.length > 0 && batch.length < this.options.maxBatchRecords) {
      const next = this.queue[0]!;
      if (batch.length > 0 && bytes + next.bytes > this.options.maxBatchBytes) break;
      batch.push(this.queue.shift()!);
      next.detach();
      bytes += next.bytes;
    }
    this.queuedBytes -= bytes;
    this.inFlight++;
    const started = Date.now();
    // One request per batch, as bounded above (a record larger than maxBatchBytes goes alone).
    this.sender
      .send(batch.map((p) => p.record), Number.POSITIVE_INFINITY)
      .then(
        (_metadata: RecordMetadata[]) => {
          this.onBatch?.(batch.length, Date.now() - started);
          this.batchSizes.push(batch.length);
          if (this.batchSizes.length > 10_000) this.batchSizes.splice(0, 5_000);
          for (const p of batch) p.resolve();
        },
        (error: unknown) => {
          this.onBatch?.(batch.length, Date.now() - started, error);
          for (const p of batch) p.reject(error);
        },
      )
      .finally(() => {
        this.inFlight--;
        // Whatever queued during the round trip goes out at once: the round trip was its linger.
        this.schedule(true);
      });
  }
}

function withdrawn(reason: unknown): TransientError {
  return new TransientError('kafka.produce_withdrawn', 'withdrawn before it was sent to the broker', { cause: reason });
}
