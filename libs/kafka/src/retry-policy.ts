/** Exponential backoff with full jitter and a cap (the AWS "full jitter" scheme kafkajs' own retrier resembles). */
export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 200, maxMs: 30_000, factor: 2 };

/** Delay before retry number `attempt` (1-based). `random` is injectable so tests are exact. */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * policy.factor ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Resolves after `ms`, or at once when the signal aborts (shutdown must not wait out a backoff). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}

/**
 * How many times one record may fail for a reason no classification names (failure-class.ts `unknown`) before it
 * is dead-lettered. With DEFAULT_BACKOFF between attempts that is about three seconds of a partition's time: enough
 * for a fluke to pass, too little for a poison record to matter.
 */
export const MAX_RECORD_ATTEMPTS = 5;

/** Most records tracked at once: every entry is a record of a batch in hand, so this is never reached in practice. */
const MAX_TRACKED_RECORDS = 10_000;

/** Failures per record (topic, partition, offset), kept across retries of its batch and forgotten once committed. */
export class RecordAttempts {
  private readonly counts = new Map<string, number>();

  /** Counts one more failure of `record`; returns the failures so far, this one included. */
  failed(record: { topic: string; partition: number; offset: string }): number {
    const id = `${record.topic}/${record.partition}@${record.offset}`;
    const count = (this.counts.get(id) ?? 0) + 1;
    if (!this.counts.has(id) && this.counts.size >= MAX_TRACKED_RECORDS) this.counts.delete(this.counts.keys().next().value!);
    this.counts.set(id, count);
    return count;
  }

  forget(records: ReadonlyArray<{ topic: string; partition: number; offset: string }>): void {
    if (this.counts.size === 0) return;
    for (const record of records) this.counts.delete(`${record.topic}/${record.partition}@${record.offset}`);
  }

  get size(): number {
    return this.counts.size;
  }
}
