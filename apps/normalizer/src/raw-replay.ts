import { rawTopicFor, readRawWebhookFacts, type ProviderName } from '@hookbus/contracts';
import { sourceTemplates, type SourceConfig } from '@hookbus/config';
import { rangeByTime, readTopicRange, type createKafka, type OutgoingRecord, type PartitionRange } from '@hookbus/kafka';
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

export interface RawReplayResult {
  readonly topic: string;
  readonly read: number;
  readonly events: number;
  readonly failed: number;
}

const CHUNK = 500;

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
  let events = 0;
  let failed = 0;
  let pending: OutgoingRecord[] = [];
  const flush = async () => {
    if (pending.length > 0) await deps.publish(pending);
    pending = [];
    await deps.heartbeat?.();
  };
  const read = await readTopicRange(deps.kafka, topic, ranges, async (record) => {
    const facts = readRawWebhookFacts(record);
    if (sourceId && facts.sourceId !== sourceId) return;
    try {
      const normalized = sink.transform(record);
      events += normalized.length;
      pending.push(...normalized.map(eventRecord));
    } catch (error) {
      failed++;
      deps.failing?.(`${record.partition}:${record.offset} receipt ${facts.receiptId ?? '?'}: ${(error as Error).message}`);
    }
    if (pending.length >= CHUNK) await flush();
  });
  await flush();
  return { topic, read, events, failed };
}
