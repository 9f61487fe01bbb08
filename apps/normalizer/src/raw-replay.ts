import { rawTopicFor, readRawWebhookFacts, type ProviderName } from '@hookbus/contracts';
import { sourceTemplates, type SourceConfig } from '@hookbus/config';
import { rangeByTime, readTopicRange, type ConsumedRecord, type createKafka, type OutgoingRecord, type PartitionRange } from '@hookbus/kafka';
import { NormalizationSink, eventRecord } from './normalization.sink';

/** What to replay: a raw topic (by provider or source), optionally a receipt time range, one partition and offsets. */
export interface RawReplayRange {
  readonly provider?: ProviderName;
  readonly sourceId?: string;
  readonly from?: Date;
  readonly to?: Date;
  readonly partition?: number;
  readonly fromOffset?: string;
  readonly toOffset?: string;
}

export interface RawReplayDeps {
  readonly kafka: ReturnType<typeof createKafka>;
  /** The sources as configured (kinds and options; the normalizer has no credentials). */
  readonly sources: readonly SourceConfig[];
  /** Publishes a chunk of event records (acks=all); a dry run passes a no-op. */
  publish(records: readonly OutgoingRecord[]): Promise<void>;
  /** The error for a range that cannot be replayed (the CLI's UsageError, the command consumer's InvalidRecordError). */
  refuse(message: string): Error;
  /** Called once the source checks passed, before the topic is read (the CLI connects its producer there). */
  ready?(): Promise<void>;
  /** One line per record that still fails to normalize (partition:offset, receipt, the adapter's reason). */
  failing?(line: string): void;
  /** Between chunks: keeps a consumer's group membership alive during a long replay. */
  heartbeat?(): Promise<void>;
}

export interface RawReplayResult extends ReplayResult {
  readonly topic: string;
}


/**
 * The replay of a raw range, shared by `npm run replay` (cli/replay.ts) and the normalizer's command consumer
 * (replay-command.sink.ts): reads the range, normalizes each record with the adapters the normalizer runs now and
 * publishes the events again. Event ids are deterministic (the same raw record gives the same ids), so replaying a
 * range twice publishes the same events twice, which downstream deduplicates; corrected or new events appear.
 */
export async function replayRawRange(range: RawReplayRange, deps: RawReplayDeps): Promise<RawReplayResult> {
  const { sourceId } = range;
  // A built-in id no longer (or not) configured still names its provider: its raw records may be replayed.
  const source = sourceId ? (deps.sources.find((s) => s.id === sourceId) ?? sourceTemplates().find((s) => s.id === sourceId)) : undefined;
  if (sourceId && !source) throw deps.refuse(`--source: no source ${sourceId} in the configuration`);
  if (source && range.provider && source.provider !== range.provider) throw deps.refuse(`--source ${sourceId} is a ${source.provider} source, not ${range.provider}`);
  if (!range.provider && !source) throw deps.refuse('--provider or --source is needed');
  const provider = (range.provider ?? source!.provider) as ProviderName;
  const topic = rawTopicFor(provider);
  await deps.ready?.();
  let ranges: PartitionRange[] = await rangeByTime(deps.kafka, topic, range.from, range.to);
  if (range.partition !== undefined) {
    const partitions = ranges.map((r) => r.partition).sort((a, b) => a - b);
    if (!partitions.includes(range.partition)) throw deps.refuse(`--partition: ${topic} has partitions ${partitions.join(', ')}, not ${range.partition}`);
    ranges = ranges.filter((r) => r.partition === range.partition).map((r) => ({ ...r, from: range.fromOffset ?? r.from, to: range.toOffset ?? r.to }));
  }
  const sink = new NormalizationSink(deps.sources);
  const result = await replayRecords({
    ranges,
    read: (onRecord, signal) => readTopicRange(deps.kafka, topic, ranges, onRecord, undefined, signal),
    normalize: (record) => (sourceId && readRawWebhookFacts(record).sourceId !== sourceId ? null : sink.transform(record).map(eventRecord)),
    publish: deps.publish,
    print: (line) => deps.failing?.(line),
    afterBatch: deps.heartbeat,
  });
  return { topic, ...result };
}

/** Where a replay stopped because Kafka did not take a batch: per partition, the offsets not known to be published. */
export interface ReplayStop {
  readonly error: unknown;
  readonly resume: PartitionRange[];
}

export interface ReplayResult {
  readonly read: number;
  readonly events: number;
  readonly failed: number;
  readonly stopped?: ReplayStop;
}

export interface ReplayRun {
  readonly ranges: readonly PartitionRange[];
  /** Reads the ranges, handing each record to `onRecord` in offset order per partition; stops once `signal` aborts. */
  readonly read: (onRecord: (record: ConsumedRecord) => Promise<void>, signal: AbortSignal) => Promise<number>;
  /** The record's events, or null for a record the replay skips (another source). Throws for one that fails to normalize. */
  readonly normalize: (record: ConsumedRecord) => OutgoingRecord[] | null;
  /** Publishes events (null: a dry run). */
  readonly publish: ((events: readonly OutgoingRecord[]) => Promise<unknown>) | null;
  readonly print: (line: string) => void;
  readonly batchEvents?: number;
  /** After each published batch: keeps a consumer's group membership alive during a long replay. */
  readonly afterBatch?: () => Promise<void>;
}

/**
 * The replay loop. A record that fails to normalize is about that record: it is printed (partition, offset, receipt)
 * and the replay goes on — the exit code says some still fail. A batch Kafka does not take is about the broker, not
 * the records: the replay stops there, and says per partition from which offset nothing is known published. Going on
 * instead would leave holes (the batches after it fail too while the broker is away, or are taken once it is back)
 * and a list of every record not replayed as long as the range; since events keep their ids, replaying a partition
 * again from the printed offset is safe (what was published twice is a duplicate downstream ignores). Before, the
 * produce error was thrown inside the range reader's consumer: kafkajs restarted it and handed the range's records
 * from the start again (republished, counted twice), then failed without a position.
 */
export async function replayRecords(run: ReplayRun): Promise<ReplayResult> {
  const stop = new AbortController();
  const batchEvents = run.batchEvents ?? 500;
  let events = 0;
  let failed = 0;
  let stopped: ReplayStop | undefined;
  let pending: OutgoingRecord[] = [];
  /** Per partition, the offset after the last record read. */
  const next = new Map<number, string>();
  /** Per partition, the first record whose events wait in `pending` (not yet acknowledged). */
  const unsentFrom = new Map<number, string>();
  const flush = async (): Promise<void> => {
    if (pending.length > 0 && run.publish) {
      try {
        await run.publish(pending);
      } catch (error) {
        const resume = run.ranges
          .map((r) => ({ ...r, from: unsentFrom.get(r.partition) ?? next.get(r.partition) ?? r.from }))
          .filter((r) => BigInt(r.from) < BigInt(r.to));
        stopped = { error, resume };
        stop.abort();
        return;
      }
    }
    pending = [];
    unsentFrom.clear();
    await run.afterBatch?.();
  };
  const read = await run.read(async (record) => {
    if (stopped) return;
    try {
      const normalized = run.normalize(record);
      if (normalized && normalized.length > 0) {
        if (!unsentFrom.has(record.partition)) unsentFrom.set(record.partition, record.offset);
        events += normalized.length;
        pending.push(...normalized);
      }
    } catch (error) {
      failed++;
      run.print(`${record.partition}:${record.offset} receipt ${readRawWebhookFacts(record).receiptId ?? '?'}: ${(error as Error).message}`);
    }
    next.set(record.partition, String(BigInt(record.offset) + 1n));
    if (pending.length >= batchEvents) await flush();
  }, stop.signal);
  if (!stopped) await flush();
  return { read, events, failed, ...(stopped ? { stopped } : {}) };
}
