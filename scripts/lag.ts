/**
 * `npm run lag`: consumer lag per group, topic and partition, with a Burrow-style status per group.
 *
 *   node dist/scripts/lag.js [--json] [--watch] [--samples N] [--interval MS] [--group ID ...]
 *
 * A status needs a window of samples, so a one-shot run takes `--samples` samples `--interval` ms apart
 * (default 3 × 2 s) and judges them; `--watch` keeps sampling and redraws, judging the last 10 samples.
 * Exit code: 0 all OK or WARN, 2 when a group is STOP or STALL or has records at risk of retention (AT_RISK, LOST),
 * 1 when Kafka or the settings fail, 64 for a wrong command line (LAG_HELP, `--help`). The evaluation is the monitor service's (libs/lag), on a shorter window.
 */
import { parseArgs } from 'node:util';
import { finishCommand, handleHelp, loadEnv, UsageError, type CommandHelp } from '@hookbus/config';
import { consumingStages } from '@hookbus/contracts';
import { formatLagTable, LagMonitor, lagRows, needsAttention, type GroupVerdict } from '@hookbus/lag';

const EXIT_ATTENTION = 2;

export const LAG_HELP: CommandHelp = {
  usage: ['npm run lag -- [--json] [--watch] [--samples N] [--interval MS] [--group ID ...]'],
  summary: 'Consumer lag per group, topic and partition (records and seconds), with a status, coordinator state, lag trend and retention risk per group. Reads KAFKA_BROKERS.',
  options: [
    ['--json', 'the verdicts as JSON, for scripts'],
    ['--watch', 'keep sampling and redraw (Ctrl-C ends; the exit code judges the last samples)'],
    ['--samples N', 'samples a one-shot run judges (default 3)'],
    ['--interval MS', 'milliseconds between samples (default 2000)'],
    ['--group ID', "a consumer group to judge (repeatable; default every stage's group)"],
  ],
  exitCodes: [[EXIT_ATTENTION, 'a group is STOP or STALL, or has records at risk of retention (AT_RISK, LOST)']],
};

interface LagCliOptions {
  readonly json: boolean;
  readonly watch: boolean;
  readonly samples: number;
  readonly intervalMs: number;
  readonly groups: readonly string[];
}

export function parseLagArgs(argv: readonly string[]): LagCliOptions {
  let parsed: ReturnType<typeof parseLagOptions>;
  try {
    parsed = parseLagOptions(argv);
  } catch (error) {
    // node:util's parseArgs refuses unknown options and missing values with a TypeError: a command-line mistake.
    throw new UsageError((error as Error).message);
  }
  const { values } = parsed;
  const samples = Number(values.samples);
  const intervalMs = Number(values.interval);
  if (!Number.isInteger(samples) || samples < 1) throw new UsageError(`--samples: expected a whole number ≥ 1, got ${values.samples}`);
  if (!Number.isFinite(intervalMs) || intervalMs < 100) throw new UsageError(`--interval: expected milliseconds ≥ 100, got ${values.interval}`);
  return { json: values.json, watch: values.watch, samples, intervalMs, groups: values.group ?? consumingStages().map((stage) => stage.group) };
}

function parseLagOptions(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: {
      json: { type: 'boolean', default: false },
      watch: { type: 'boolean', default: false },
      samples: { type: 'string', default: '3' },
      interval: { type: 'string', default: '2000' },
      group: { type: 'string', multiple: true },
    },
    strict: true,
  });
}

export function lagJson(verdicts: readonly GroupVerdict[]): string {
  return JSON.stringify({
    at: new Date(verdicts[0]?.at ?? Date.now()).toISOString(),
    groups: verdicts.map((v) => ({
      group: v.groupId,
      status: v.status,
      reason: v.reason,
      membership: v.membership,
      state: v.state,
      members: v.members,
      totalLag: v.totalLag,
      lagTrend: v.lagTrend,
      retention: v.retention,
      retentionReason: v.retentionReason,
    })),
    partitions: lagRows(verdicts),
  }, null, 2);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(argv: readonly string[]): Promise<number> {
  const options = parseLagArgs(argv);
  const env = loadEnv();
  const monitor = LagMonitor.connect({
    brokers: env.kafkaBrokers,
    security: env.kafkaSecurity,
    registry: null,
    clientId: 'hookbus-lag-cli',
    // kafkajs logs every retried request as an error; a failure that matters still ends the run with its message.
    kafkaLog: () => undefined,
    targets: options.groups.map((groupId) => ({ groupId })),
    evaluator: { minSamples: options.watch ? 3 : options.samples },
  });
  const print = (verdicts: readonly GroupVerdict[]) =>
    process.stdout.write(options.json ? `${lagJson(verdicts)}\n` : formatLagTable(verdicts));
  try {
    if (options.watch) {
      let stop = false;
      process.once('SIGINT', () => (stop = true));
      while (!stop) {
        const verdicts = await monitor.sample();
        if (!options.json && process.stdout.isTTY) process.stdout.write('\x1b[2J\x1b[H');
        print(verdicts);
        await sleep(options.intervalMs);
      }
      return needsAttention(monitor.verdicts()) ? EXIT_ATTENTION : 0;
    }
    let verdicts: GroupVerdict[] = [];
    for (let i = 0; i < options.samples; i++) {
      if (i > 0) await sleep(options.intervalMs);
      verdicts = await monitor.sample();
    }
    print(verdicts);
    return needsAttention(verdicts) ? EXIT_ATTENTION : 0;
  } finally {
    await monitor.stop();
  }
}

if (require.main === module) {
  handleHelp(process.argv.slice(2), LAG_HELP);
  finishCommand(main(process.argv.slice(2)), LAG_HELP);
}
