import type { Logger } from 'pino';
import { InvalidRecordError, TransientError, readRawWebhookFacts, errorFields } from '@hookbus/contracts';
import { recordRefusalOf, type OutgoingRecord } from '@hookbus/kafka';
import type { RecordStore } from '../ingress/webhook-ingress';
import { SpoolFullError, type LogBatch, type SegmentLog } from './segment-log';
import { decodeSpooledRecord, encodeSpooledRecord } from './spooled-record.codec';

/** The Kafka side: the direct write (bounded by the produce timeout) and the drain's write (waits for the verdict). */
export interface KafkaRecordStore extends RecordStore {
  /** `signal` aborts when the spool takes the write over: a record not yet sent to the broker is withdrawn. */
  store(record: OutgoingRecord, signal?: AbortSignal): Promise<void>;
  storeAll(records: readonly OutgoingRecord[]): Promise<void>;
}

export interface SpoolObserver {
  appended(records: number): void;
  drained(records: number): void;
  refused(reason: 'full' | 'io'): void;
  /** A spooled record Kafka refuses for good was moved out of the drain's way; `code` says why. */
  setAside(code: string): void;
}

export interface SpoolOptions {
  readonly drainBatchRecords: number;
  readonly drainBatchBytes: number;
  /** Pause after a failed drain attempt (the producer's own retries have already run by then). */
  readonly drainRetryMs: number;
  /** Free bytes below which the spool reports not ready: room for one more ordinary webhook. */
  readonly readyFreeBytes: number;
}

export const DEFAULT_SPOOL_OPTIONS: SpoolOptions = {
  drainBatchRecords: 500,
  drainBatchBytes: 4 * 1024 * 1024,
  drainRetryMs: 1000,
  readyFreeBytes: 1024 * 1024,
};

interface DirectWrite {
  readonly record: OutgoingRecord;
  readonly handedOver: AbortController;
  settled: boolean;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Store-and-forward (docs/store-and-forward.md). While the spool is empty a record goes straight to Kafka; when a
 * direct write fails or times out, that record and every other direct write still waiting are appended to the spool
 * in arrival order, and from then on every record goes to the spool until the drainer has emptied it — so no
 * webhook overtakes an older one. A spooled record is acknowledged once it is fsync'd. Refused only when the spool
 * is full or the disk fails.
 */
export class SpoolingRecordStore implements RecordStore {
  private spooling: boolean;
  private readonly direct = new Set<DirectWrite>();
  private draining: Promise<void> | null = null;
  private stopped = false;
  private lastWriteFailed = false;
  /**
   * Kafka failed a write (a direct write failed or timed out) and has not taken one since: what readiness may not
   * count on. The producer's `connected` flag stays true through an outage, so it is no evidence on its own.
   */
  private kafkaFailing = false;
  /** The drainer stopped on a failure (a disk error) at least once since it last committed: logged once, retried. */
  private drainFailing = false;
  private probing: Promise<void> | null = null;
  /** After a batch Kafka refused for good: how many records are still sent one by one, to find the one at fault. */
  private isolating = 0;
  private wakeDrainer: (() => void) | null = null;

  constructor(
    private readonly kafka: KafkaRecordStore,
    private readonly log: SegmentLog,
    private readonly maxBytes: number,
    private readonly logger: Logger,
    private readonly observer: SpoolObserver,
    private readonly options: SpoolOptions = DEFAULT_SPOOL_OPTIONS,
    private readonly now: () => number = Date.now,
  ) {
    this.spooling = !log.isEmpty;
  }

  /** Starts draining what an earlier run left in the spool. */
  start(): void {
    if (this.spooling) this.startDrainer();
  }

  isSpooling(): boolean {
    return this.spooling;
  }

  /**
   * Ready while the spool accepts: the last disk write succeeded and there is room for another webhook. After a
   * failed write, each check probes the disk (an unready pod gets no traffic, so no append would ever tell).
   */
  async accepts(): Promise<boolean> {
    if (this.lastWriteFailed) await this.probeDisk();
    return !this.lastWriteFailed && this.maxBytes - this.log.bytes >= Math.min(this.options.readyFreeBytes, this.maxBytes);
  }

  /**
   * Readiness: webhooks are taken while either path works. A spool whose disk is full does not stop a gateway whose
   * spool is empty and whose broker is connected — it writes directly; otherwise every replica whose disk filled up
   * would leave the Service while Kafka is healthy. The full disk still shows (spool refused metric, error log).
   */
  async takesWebhooks(kafkaConnected: boolean): Promise<boolean> {
    if (await this.accepts()) return true;
    // Since Kafka last failed a write, only a working disk makes the pod ready again (as before this path existed):
    // an unready pod gets no traffic that could show Kafka is back.
    return !this.spooling && !this.kafkaFailing && kafkaConnected;
  }

  private probeDisk(): Promise<void> {
    this.probing ??= this.log
      .probe()
      .then(
        () => {
          this.lastWriteFailed = false;
          this.logger.info('spool: the disk takes writes again');
        },
        (error: unknown) => this.logger.debug({ err: errorFields(error) }, 'spool: the disk still fails writes'),
      )
      .finally(() => (this.probing = null));
    return this.probing;
  }

  store(record: OutgoingRecord): Promise<void> {
    if (this.spooling) return this.spool(record);
    return new Promise<void>((resolve, reject) => {
      const write: DirectWrite = { record, handedOver: new AbortController(), settled: false, resolve, reject };
      this.direct.add(write);
      this.kafka.store(record, write.handedOver.signal).then(
        () => {
          this.kafkaFailing = false;
          if (write.settled) return;
          write.settled = true;
          this.direct.delete(write);
          resolve();
        },
        (error: unknown) => {
          if (write.settled) return;
          this.kafkaFailing = true;
          if (this.lastWriteFailed && !this.spooling) {
            // The disk is known to refuse: failing every waiting write over to it would answer 503 to records Kafka
            // may still take a moment later. This one alone tries the spool (refused unless the disk is back).
            write.settled = true;
            this.direct.delete(write);
            this.spool(record).then(resolve, reject);
            return;
          }
          this.failOver(error);
        },
      );
    });
  }

  /**
   * The stop: first drains what the spool holds into Kafka, for up to `drainMs` — the process may not come back to
   * this directory (a StatefulSet scaled down leaves its volume to no pod) — then stops the drainer, waiting up to
   * `stopMs` for its attempt under way (an unfinished batch stays on disk, sent again by the next start), and closes
   * the log. Returns how many records are left in it for the next gateway started on this directory.
   */
  async close({ drainMs = 0, stopMs = 5000 }: { drainMs?: number; stopMs?: number } = {}): Promise<number> {
    const deadline = Date.now() + drainMs;
    if (this.spooling && drainMs > 0) this.startDrainer();
    // The drainer ends when the log is empty (spooling off) or when the disk fails under it; the deadline ends the wait.
    while (this.spooling && this.draining && Date.now() < deadline) await within(this.draining, deadline - Date.now());
    this.stopped = true;
    this.wakeDrainer?.();
    await within(this.draining, stopMs);
    const left = this.log.records;
    await this.log.close();
    return left;
  }

  /**
   * Kafka did not take a record in time: every direct write still waiting moves to the spool, oldest first, and is
   * withdrawn from the producer's queue — otherwise it could reach Kafka after a recovery ahead of the older records
   * now in the spool. Those already in flight may still be written; the drain then writes them again (at-least-once,
   * same receipt id).
   */
  private failOver(error: unknown): void {
    if (!this.spooling) this.logger.warn({ err: errorFields(error) }, 'Kafka did not acknowledge in time: spooling to local disk');
    this.spooling = true;
    const waiting = [...this.direct];
    this.direct.clear();
    for (const write of waiting) {
      write.settled = true;
      write.handedOver.abort();
      this.spool(write.record).then(write.resolve, write.reject);
    }
  }

  private spool(record: OutgoingRecord): Promise<void> {
    const written = this.log.append(encodeSpooledRecord(record), this.now());
    this.startDrainer();
    return written.then(
      () => {
        this.lastWriteFailed = false;
        this.observer.appended(1);
      },
      (error: unknown) => {
        const full = error instanceof SpoolFullError;
        if (!full) {
          // ERROR once per episode (someone must look at the disk); every refusal is counted in the metric. A full disk
          // once logged one ERROR per refused webhook: 465 lines in 15 s in the real-load fault suite.
          if (this.lastWriteFailed) this.logger.debug({ err: errorFields(error) }, 'spool write failed again');
          else this.logger.error({ err: errorFields(error) }, 'spool write failed; refusing webhooks the spool must take until the disk takes writes again');
          this.lastWriteFailed = true;
        }
        this.observer.refused(full ? 'full' : 'io');
        throw new TransientError(full ? 'gateway.spool_full' : 'gateway.spool_write_failed', full ? 'the local spool is full' : 'the local spool could not be written', { cause: error });
      },
    );
  }

  /**
   * The drainer, started by an append or at start, and again after a failure of its own (a disk error recording its
   * progress or setting a record aside): an unready pod gets no appends, so nothing else would start it again.
   */
  private startDrainer(): void {
    if (this.draining || this.stopped) return;
    let again = false;
    this.draining = this.drain()
      .catch(async (error: unknown) => {
        // ERROR once per episode (someone must look at the disk), then debug while it goes on failing.
        if (this.drainFailing) this.logger.debug({ err: errorFields(error) }, 'spool drain attempt failed again; retrying');
        else this.logger.error({ err: errorFields(error) }, 'spool drain failed (the disk); retrying');
        this.drainFailing = true;
        await this.pause(this.options.drainRetryMs);
        again = true;
      })
      .finally(() => {
        this.draining = null;
        if (again && !this.stopped && !this.log.isEmpty) this.startDrainer();
      });
  }

  private async drain(): Promise<void> {
    while (!this.stopped) {
      // Checked and switched in one synchronous step: no append can slip in between.
      if (this.log.isEmpty) {
        this.spooling = false;
        this.logger.info('spool drained: writing to Kafka directly again');
        return;
      }
      const batch = await this.log.readBatch(this.isolating > 0 ? 1 : this.options.drainBatchRecords, this.options.drainBatchBytes);
      if (batch.entries.length === 0) {
        // Nothing durable to read yet: an append is being written; its completion wakes us.
        if (this.log.records === 0) await this.log.whenAppended();
        else await this.pause(this.options.drainRetryMs);
        continue;
      }
      try {
        await this.kafka.storeAll(batch.entries.map((e) => decodeForDrain(e.payload)));
      } catch (error) {
        const refusal = error instanceof InvalidRecordError ? error.code : recordRefusalOf(error);
        if (refusal === null) {
          // Only the broker being unavailable keeps the drain waiting (and everything behind it: order is kept).
          this.logger.debug({ err: errorFields(error) }, 'spool drain attempt failed; retrying');
          await this.pause(this.options.drainRetryMs);
        } else if (batch.entries.length > 1) {
          // One record (or more) of the batch will never be accepted: send them one by one to find which.
          this.isolating = batch.entries.length;
        } else {
          if (this.stopped) return;
          await this.setAside(batch, refusal);
          this.isolating = Math.max(0, this.isolating - 1);
        }
        continue;
      }
      // Closing: leave the checkpoint where it is; the next start sends this batch again (at-least-once).
      if (this.stopped) return;
      await this.log.commit(batch.end, batch.entries.length);
      this.kafkaFailing = false;
      this.drainFailing = false;
      this.isolating = Math.max(0, this.isolating - batch.entries.length);
      this.observer.drained(batch.entries.length);
    }
  }

  /** A record Kafka will never take must not hold up every record behind it: it goes to a file of its own. */
  private async setAside(batch: LogBatch, code: string): Promise<void> {
    const file = await this.log.setAside(batch);
    this.observer.setAside(code);
    let record: OutgoingRecord | null = null;
    try {
      record = decodeSpooledRecord(batch.entries[0]!.payload);
    } catch {
      // Undecodable: the file still holds its bytes.
    }
    this.logger.error(
      { code, file, topic: record?.topic, receiptId: record ? readRawWebhookFacts(record).receiptId : undefined },
      'spool: Kafka refuses this record for good; moved it out of the drain into the file named here (see docs/store-and-forward.md)',
    );
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeDrainer = done;
    });
  }
}

/** Waits for `promise` (if any), `ms` at most. */
async function within(promise: Promise<void> | null, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, ms))))]);
  clearTimeout(timer);
}

function decodeForDrain(payload: Buffer): OutgoingRecord {
  try {
    return decodeSpooledRecord(payload);
  } catch (error) {
    throw new InvalidRecordError('gateway.spool_record_undecodable', 'a spooled record could not be decoded', { cause: error });
  }
}

