/**
 * Re-runs normalization over a range of a raw topic after an adapter fix (replayRawRange in ../raw-replay.ts, which the
 * normalizer's command consumer also runs for the console's replay commands). Event ids are deterministic, so the events
 * it publishes again carry the ids they had (and downstream stays idempotent); new or corrected events appear.
 *
 *   npm run replay -- --provider credas [--source credas-actor] [--from 2026-11-01T00:00:00Z] [--to ...]
 *                     [--partition 2 --from-offset 100 --to-offset 200] [--dry-run]
 */
import { parseArgs } from 'node:util';
import { PROVIDERS, TransientError, type ProviderName } from '@hookbus/contracts';
import { finishCommand, handleHelp, loadEnv, loadHookbusConfig, parseCommandLine, UsageError, wholeNumberOption, type CommandHelp } from '@hookbus/config';
import { RenewableIdempotentProducer, createDurableProducer, createKafka } from '@hookbus/kafka';
import { replayRawRange, type RawReplayRange, type ReplayResult } from '../raw-replay';

export { replayRecords, type ReplayRun } from '../raw-replay';

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

/** The command line: the range the normalizer's replay command also takes, and whether to publish. */
export interface ReplayOptions extends RawReplayRange {
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

export async function replay(argv: string[], print: (line: string) => void = console.log): Promise<ReplayResult> {
  const options = parseReplayArgs(argv);
  const env = loadEnv();
  // As the normalizer it replays for: the sources' kinds and options, never their credentials (a normalizer pod has none).
  const config = loadHookbusConfig(env.configPath, process.env, 'withheld');
  const { sourceId, dryRun } = options;
  const kafka = createKafka({ brokers: env.kafkaBrokers, security: env.kafkaSecurity, clientId: 'hookbus-replay' });
  const producer = new RenewableIdempotentProducer(() => createDurableProducer(kafka));
  // Connected once the source is known to be one (as before the replay core was shared): an unknown source is refused
  // before any connection, a partition the topic lacks after it.
  let connected = false;
  try {
    const result = await replayRawRange(options, {
      kafka,
      sources: config.sources,
      publish: async (records) => {
        if (!dryRun) await withinTimeout(producer.send(records), PUBLISH_TIMEOUT_MS);
      },
      refuse: (message) => new UsageError(message),
      ready: async () => {
        if (dryRun) return;
        await producer.connect();
        connected = true;
      },
      failing: print,
    });
    const { topic, read, events, failed, stopped } = result;
    print(`${dryRun ? 'would publish' : 'published'} ${events} events from ${read} raw records of ${topic}${sourceId ? ` (source ${sourceId})` : ''}; ${failed} still fail`);
    if (stopped) {
      const selector = sourceId ? `--source ${sourceId}` : `--provider ${options.provider}`;
      print(`stopped: Kafka did not take a batch (${stopped.error instanceof Error ? stopped.error.message : String(stopped.error)}); nothing from these offsets on is known published (events keep their ids: replaying again is safe). Resume with:`);
      for (const r of stopped.resume) print(`  npm run replay -- ${selector} --partition ${r.partition} --from-offset ${r.from} --to-offset ${r.to}`);
    }
    return result;
  } finally {
    if (connected) await producer.disconnect();
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
