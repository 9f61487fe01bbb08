/**
 * Re-runs normalization over a range of a raw topic after an adapter fix. Event ids are deterministic, so the events
 * it publishes again carry the ids they had (and downstream stays idempotent); new or corrected events appear.
 *
 *   npm run replay -- --provider credas [--source credas-actor] [--from 2026-11-01T00:00:00Z] [--to ...]
 *                     [--partition 2 --from-offset 100 --to-offset 200] [--dry-run]
 */
import { parseArgs } from 'node:util';
import { PROVIDERS, TransientError, rawTopicFor, readRawWebhookFacts, type ProviderName } from '@hookbus/contracts';
import { finishCommand, handleHelp, loadEnv, loadHookbusConfig, parseCommandLine, sourceTemplates, UsageError, wholeNumberOption, type CommandHelp } from '@hookbus/config';
import {
  RenewableIdempotentProducer,
  createDurableProducer,
  createKafka,
  rangeByTime,
  readTopicRange,
  type ConsumedRecord,
  type OutgoingRecord,
  type PartitionRange,
} from '@hookbus/kafka';
import { NormalizationSink, eventRecord } from '../normalization.sink';

/** Some records still fail to normalize (each is printed with its partition, offset and receipt). */
const EXIT_STILL_FAILING = 2;
/** The broker did not take a batch: the replay stopped, and printed where to resume each partition. */
const EXIT_STOPPED = 3;
/**
 * How long one batch may wait for Kafka before the replay stops there. An idempotent kafkajs producer retries a
 * retriable error without bound: with the broker away a replay would otherwise hang, and a Ctrl-C loses the position.
 */
const PUBLISH_TIMEOUT_MS = 60_000;

export const REPLAY_HELP: CommandHelp = {
  usage: [
    'npm run replay -- --provider <credas|authvia|octapush|cellosign> [--from TIME] [--to TIME] [--dry-run]',
    'npm run replay -- --source <sourceId> [--from TIME] [--to TIME] [--dry-run]',
    'npm run replay -- --provider <p> --partition N [--from-offset A] [--to-offset B] [--dry-run]',
  ],
  summary:
    "Re-normalizes a range of a raw topic (webhooks.raw.<provider>) after an adapter fix and publishes the events again with the ids they had (docs/normalizer.md). Reads KAFKA_BROKERS and the config's sources.",
  options: [
    ['--provider P', "the raw topic's provider"],
    ['--source ID', 'only the records of this source (implies its provider)'],
    ['--from TIME, --to TIME', 'receipt time range, ISO 8601 (default: the whole topic)'],
    ['--partition N', 'one partition, with --from-offset / --to-offset'],
    ['--dry-run', 'normalize and count, publish nothing'],
  ],
  exitCodes: [
    [EXIT_STILL_FAILING, 'some records still fail to normalize (printed one per line)'],
    [EXIT_STOPPED, 'Kafka did not take a batch (or not within 60 s): stopped; one command per partition to resume from is printed'],
  ],
};

export interface ReplayOptions {
  readonly provider?: ProviderName;
  readonly sourceId?: string;
  readonly from?: Date;
  readonly to?: Date;
  readonly partition?: number;
  readonly fromOffset?: string;
  readonly toOffset?: string;
  readonly dryRun: boolean;
}

function date(name: string, raw: string | undefined): Date | undefined {
  if (raw === undefined) return undefined;
  const parsed = new Date(raw);
  if (raw.trim() === '' || Number.isNaN(parsed.getTime())) throw new UsageError(`--${name}: not a date: ${JSON.stringify(raw)}`);
  return parsed;
}

/**
 * The command line, refused whole when any part is wrong: an unknown option (`--dryrun`), an option without its value
 * (`--from` alone would otherwise mean the whole topic), a provider, time, partition or offset that is not one. Each of
 * those mistakes used to widen the replay to the whole topic or quietly publish nothing.
 */
export function parseReplayArgs(argv: readonly string[]): ReplayOptions {
  const { values } = parseCommandLine(() =>
    parseArgs({
      args: [...argv],
      options: {
        provider: { type: 'string' },
        source: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        partition: { type: 'string' },
        'from-offset': { type: 'string' },
        'to-offset': { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }),
  );
  const provider = values.provider;
  if (provider !== undefined && !PROVIDERS.includes(provider as ProviderName)) throw new UsageError(`--provider: one of ${PROVIDERS.join(', ')}, got ${JSON.stringify(provider)}`);
  if (provider === undefined && values.source === undefined) throw new UsageError(`--provider: one of ${PROVIDERS.join(', ')} (or --source)`);
  if (values.source !== undefined && values.source.trim() === '') throw new UsageError('--source: a source id, got ""');
  const from = date('from', values.from);
  const to = date('to', values.to);
  if (from && to && from.getTime() >= to.getTime()) throw new UsageError(`--from ${values.from} is not before --to ${values.to}`);
  const partition = values.partition === undefined ? undefined : wholeNumberOption('partition', values.partition);
  const fromOffset = values['from-offset'] === undefined ? undefined : String(wholeNumberOption('from-offset', values['from-offset']));
  const toOffset = values['to-offset'] === undefined ? undefined : String(wholeNumberOption('to-offset', values['to-offset']));
  if ((fromOffset !== undefined || toOffset !== undefined) && partition === undefined) throw new UsageError('--from-offset / --to-offset need --partition');
  if (fromOffset !== undefined && toOffset !== undefined && BigInt(fromOffset) > BigInt(toOffset)) throw new UsageError(`--from-offset ${fromOffset} is after --to-offset ${toOffset}`);
  return { provider: provider as ProviderName | undefined, sourceId: values.source, from, to, partition, fromOffset, toOffset, dryRun: values['dry-run'] };
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

export async function replay(argv: string[], print: (line: string) => void = console.log): Promise<ReplayResult> {
  const options = parseReplayArgs(argv);
  const env = loadEnv();
  // As the normalizer it replays for: the sources' kinds and options, never their credentials (a normalizer pod has none).
  const config = loadHookbusConfig(env.configPath, process.env, 'withheld');
  const { sourceId, dryRun } = options;
  // A built-in id no longer (or not) configured still names its provider: its raw records may be replayed.
  const source = sourceId ? (config.sources.find((s) => s.id === sourceId) ?? sourceTemplates().find((s) => s.id === sourceId)) : undefined;
  if (sourceId && !source) throw new UsageError(`--source: no source ${sourceId} in the configuration`);
  if (source && options.provider && source.provider !== options.provider) throw new UsageError(`--source ${sourceId} is a ${source.provider} source, not ${options.provider}`);
  const provider = (options.provider ?? source!.provider) as ProviderName;
  const topic = rawTopicFor(provider);
  const kafka = createKafka({ brokers: env.kafkaBrokers, security: env.kafkaSecurity, clientId: 'hookbus-replay' });
  let ranges: PartitionRange[] = await rangeByTime(kafka, topic, options.from, options.to);
  if (options.partition !== undefined) {
    const partitions = ranges.map((r) => r.partition).sort((a, b) => a - b);
    if (!partitions.includes(options.partition)) throw new UsageError(`--partition: ${topic} has partitions ${partitions.join(', ')}, not ${options.partition}`);
    ranges = ranges.filter((r) => r.partition === options.partition).map((r) => ({ ...r, from: options.fromOffset ?? r.from, to: options.toOffset ?? r.to }));
  }
  const sink = new NormalizationSink(config.sources);
  const producer = new RenewableIdempotentProducer(() => createDurableProducer(kafka));
  if (!dryRun) await producer.connect();
  try {
    const result = await replayRecords({
      ranges,
      read: (onRecord, signal) => readTopicRange(kafka, topic, ranges, onRecord, undefined, signal),
      normalize: (record) => (sourceId && readRawWebhookFacts(record).sourceId !== sourceId ? null : sink.transform(record).map(eventRecord)),
      publish: dryRun ? null : (events) => withinTimeout(producer.send(events), PUBLISH_TIMEOUT_MS),
      print,
    });
    const { read, events, failed, stopped } = result;
    print(`${dryRun ? 'would publish' : 'published'} ${events} events from ${read} raw records of ${topic}${sourceId ? ` (source ${sourceId})` : ''}; ${failed} still fail`);
    if (stopped) {
      const selector = sourceId ? `--source ${sourceId}` : `--provider ${provider}`;
      print(`stopped: Kafka did not take a batch (${stopped.error instanceof Error ? stopped.error.message : String(stopped.error)}); nothing from these offsets on is known published (events keep their ids: replaying again is safe). Resume with:`);
      for (const r of stopped.resume) print(`  npm run replay -- ${selector} --partition ${r.partition} --from-offset ${r.from} --to-offset ${r.to}`);
    }
    return result;
  } finally {
    if (!dryRun) await producer.disconnect();
  }
}

/** `work`'s outcome, or a refusal once `ms` passed (the replay stops and disconnects: a send still retrying ends then). */
async function withinTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TransientError('normalizer.replay_publish_timeout', `Kafka did not acknowledge the batch within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

if (require.main === module) {
  handleHelp(process.argv.slice(2), REPLAY_HELP);
  finishCommand(
    replay(process.argv.slice(2)).then(({ failed, stopped }) => (stopped ? EXIT_STOPPED : failed > 0 ? EXIT_STILL_FAILING : 0)),
    REPLAY_HELP,
  );
}
