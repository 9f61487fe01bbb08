/**
 * Re-runs normalization over a range of a raw topic after an adapter fix. Event ids are deterministic, so the events
 * it publishes again carry the ids they had (and downstream stays idempotent); new or corrected events appear.
 *
 *   npm run replay -- --provider credas [--source credas-actor] [--from 2026-11-01T00:00:00Z] [--to ...]
 *                     [--partition 2 --from-offset 100 --to-offset 200] [--dry-run]
 */
import { PROVIDERS, rawTopicFor, RawHeaders, type ProviderName } from '@hookbus/contracts';
import { finishCommand, handleHelp, loadEnv, loadHookbusConfig, sourceTemplates, UsageError, type CommandHelp } from '@hookbus/config';
import { createDurableProducer, createKafka, groupByTopic, rangeByTime, readTopicRange, type OutgoingRecord, type PartitionRange } from '@hookbus/kafka';
import '@hookbus/providers/adapters';
import { NormalizationSink, eventRecord } from '../normalization.sink';

/** Some records still fail to normalize (each is printed with its partition, offset and receipt). */
const EXIT_STILL_FAILING = 2;

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
  exitCodes: [[EXIT_STILL_FAILING, 'some records still fail to normalize (printed one per line)']],
};

function arg(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

function date(argv: string[], name: string): Date | undefined {
  const raw = arg(argv, name);
  if (raw === undefined) return undefined;
  const parsed = new Date(raw);
  if (Number.isNaN(parsed.getTime())) throw new UsageError(`--${name}: not a date: ${raw}`);
  return parsed;
}

export async function replay(argv: string[], print: (line: string) => void = console.log): Promise<{ read: number; events: number; failed: number }> {
  const env = loadEnv();
  const config = loadHookbusConfig(env.configPath);
  const sourceId = arg(argv, 'source');
  // A built-in id no longer (or not) configured still names its provider: its raw records may be replayed.
  const source = sourceId ? (config.sources.find((s) => s.id === sourceId) ?? sourceTemplates().find((s) => s.id === sourceId)) : undefined;
  if (sourceId && !source) throw new UsageError(`--source: no source ${sourceId} in the configuration`);
  const provider = (arg(argv, 'provider') ?? source?.provider) as ProviderName | undefined;
  if (!provider || !PROVIDERS.includes(provider)) throw new UsageError(`--provider: one of ${PROVIDERS.join(', ')} (or --source)`);
  const topic = rawTopicFor(provider);
  const kafka = createKafka({ brokers: env.kafkaBrokers, clientId: 'hookbus-replay' });
  let ranges: PartitionRange[] = await rangeByTime(kafka, topic, date(argv, 'from'), date(argv, 'to'));
  const partition = arg(argv, 'partition');
  if (partition !== undefined) {
    ranges = ranges.filter((r) => r.partition === Number(partition)).map((r) => ({ ...r, from: arg(argv, 'from-offset') ?? r.from, to: arg(argv, 'to-offset') ?? r.to }));
  }
  const dryRun = argv.includes('--dry-run');
  const sink = new NormalizationSink(config.sources);
  const producer = createDurableProducer(kafka);
  if (!dryRun) await producer.connect();
  let events = 0;
  let failed = 0;
  let pending: OutgoingRecord[] = [];
  const flush = async () => {
    if (pending.length > 0 && !dryRun) await producer.sendBatch({ topicMessages: groupByTopic(pending), acks: -1 });
    pending = [];
  };
  try {
    const read = await readTopicRange(kafka, topic, ranges, async (record) => {
      if (sourceId && record.headers[RawHeaders.sourceId] !== sourceId) return;
      try {
        const normalized = sink.transform(record);
        events += normalized.length;
        pending.push(...normalized.map(eventRecord));
      } catch (error) {
        failed++;
        print(`${record.partition}:${record.offset} receipt ${record.headers[RawHeaders.receiptId] ?? '?'}: ${(error as Error).message}`);
      }
      if (pending.length >= 500) await flush();
    });
    await flush();
    print(`${dryRun ? 'would publish' : 'published'} ${events} events from ${read} raw records of ${topic}${sourceId ? ` (source ${sourceId})` : ''}; ${failed} still fail`);
    return { read, events, failed };
  } finally {
    if (!dryRun) await producer.disconnect();
  }
}

if (require.main === module) {
  handleHelp(process.argv.slice(2), REPLAY_HELP);
  finishCommand(
    replay(process.argv.slice(2)).then(({ failed }) => (failed > 0 ? EXIT_STILL_FAILING : 0)),
    REPLAY_HELP,
  );
}
