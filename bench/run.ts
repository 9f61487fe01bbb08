/**
 * `npm run bench [-- --quick]`: measures every stage of hookbus beside its baselines on this machine and writes
 * BENCHMARKS.md (figures, targets pass/fail) and docs/bench/latency.png. See issue 10.
 *
 * Every server under test and every load generator is its own child process; all are stopped at the end, on
 * failure and on Ctrl-C. Everything listens on 127.0.0.1.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { STAGES, allTopics } from '@hookbus/contracts';
import { serviceEnvironment, serviceNodeOptions } from '@hookbus/platform';
import { withOverrides } from './lib/service-env';
import { coresBetween, cpuReading, cpuSnapshot, drainCpu, processCpuSeconds } from './lib/cpu';
import { BenchFailed, killAllChildrenNow, readMemory, runFailures, spawnNode, forkNode, stopAllChildren, stopChild, waitHttp, type SpawnedChild } from './lib/children';
import { backlog, committed, delta, drainTimeoutMs, endOffsets, placeGroup, watchDrain, type Offsets } from './lib/offsets';
import { benchPorts, machineInfo, prepareInfra, stopStartedBroker, type BenchInfra } from './lib/setup';
import { heapReading, metricSum } from './lib/prom-text';
import { keptGrowth, median, peakEnvelope, percentile, pollUntil, sleep, slope } from './lib/stats';
import { latencyChartPng } from './lib/chart';
import type { LoadMessage, LoadResult, LoadSpec } from './load/load-spec';
import { prefillRaw } from './workload';
import { trackerScale } from './tracker-scale';
import { consoleSearch, consoleSearchSection, searchBenchDatabaseUrl } from './console-search';
import { kafkaCeilings, type CeilingRun } from './ceilings';
import { trackerScaleSection } from './report';
import { COPY_TOPIC, DURABLE_TOPIC_NAME, NAIVE_TOPIC_NAME, ceilingLines, writeReport, type BenchResults, type CapacityProbeRun, type CapacityResult, type DrainRun, type E2eRun, type IngestRun, type MemoryRun } from './report';
import { CAPACITY_P99_LIMIT_MS, capacityFailures, cpuMsPerWebhook, highestPass, nextCapacityRate, type CapacityPlan } from './capacity';

const ROOT = join(__dirname, '..', '..');
const DIST = join(__dirname, '..');
const quick = process.argv.includes('--quick');
const RUN_ID = `${Date.now().toString(36)}`;
// At least 16 characters: the config refuses shorter shared secrets (libs/config), and every stage reads this config.
const TOKEN = 'bench-token-not-a-secret';
const PORTS = benchPorts(process.env.BENCH_PORT_BASE);

function numberArg(flag: string): number | undefined {
  const i = process.argv.indexOf(flag);
  const value = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

const DEFAULTS = quick
  ? { mode: 'quick', ingestRuns: 1, ingestSec: 3, warmupSec: 1, connections: 100, drainRuns: 1, drainRecords: 3_000, e2eSec: 4, soakSec: 6, rates: [500, 2000] }
  : { mode: 'full', ingestRuns: 3, ingestSec: 10, warmupSec: 2, connections: 100, drainRuns: 3, drainRecords: 30_000, e2eSec: 60, soakSec: 600, rates: [500, 2000, 5000] };
/** `--soak-sec N`, `--drain-records N`, `--e2e-sec N` shorten or lengthen a run; BENCHMARKS.md states what was used. */
export const SETTINGS = {
  ...DEFAULTS,
  soakSec: numberArg('--soak-sec') ?? DEFAULTS.soakSec,
  drainRecords: numberArg('--drain-records') ?? DEFAULTS.drainRecords,
  e2eSec: numberArg('--e2e-sec') ?? DEFAULTS.e2eSec,
  /** `--entities N` for tracker-scale: distinct entities through one tracker (1 million unless told; 10 million for the issue's goal). */
  entities: numberArg('--entities') ?? 1_000_000,
  /** `--ceiling-records N`: records per run of each of Kafka's own perf tools (the ceilings part). */
  ceilingRecords: numberArg('--ceiling-records') ?? (quick ? 50_000 : 300_000),
  ceilingRuns: quick ? 1 : 3,
};

/**
 * How long the stack may take to drain what earlier runs left (consumer groups within a few control records of the
 * end) before a measured e2e run starts anyway: a run that begins on a backlog measures the backlog.
 */
const SETTLE_LIMIT_SEC = quick ? 20 : 90;
/** How long followed receipts may take to appear after the load stopped; still pending then = never visible. */
const VISIBLE_WAIT_SEC = 60;
/**
 * The capacity search (bench/capacity.ts) after the fixed rates and the soak: ×2 steps, then geometric bisection to
 * 15 %, at most 4 probes of e2eSec each, and none started that could end past 8 minutes of search in a full run
 * (4 in a quick one): a probe may take its load, the wait for its rows and the next settle.
 */
const CAPACITY_PLAN: CapacityPlan = {
  start: 500,
  factor: 2,
  resolution: 1.15,
  maxProbes: 4,
  floor: 50,
  budgetSec: quick ? 240 : 480,
  worstProbeSec: SETTINGS.e2eSec + VISIBLE_WAIT_SEC + SETTLE_LIMIT_SEC,
};

type Part = 'ceilings' | 'ingest' | 'drain' | 'e2e' | 'tracker-scale' | 'console-search';
/**
 * What a full run measures; tracker-scale (minutes to hours, by `--entities`) and console-search (Postgres only, its
 * own database: BENCH_SEARCH_DATABASE_URL) run only when asked with --only.
 * `ceilings` (Kafka's own perf tools on the same broker) goes first, while the broker holds the least.
 */
const FULL_RUN: readonly Part[] = ['ceilings', 'ingest', 'drain', 'e2e'];
const PARTS: readonly Part[] = [...FULL_RUN, 'tracker-scale', 'console-search'];
/**
 * `--only ingest,drain,e2e`: measure some parts only, while working on one stage. A partial run prints its figures
 * and keeps its JSON in bench/results, but never rewrites BENCHMARKS.md (which states one complete run).
 */
function onlyParts(): ReadonlySet<Part> {
  const i = process.argv.indexOf('--only');
  if (i < 0) return new Set(FULL_RUN);
  const asked = (process.argv[i + 1] ?? '').split(',').filter(Boolean);
  const unknown = asked.filter((p) => !(PARTS as readonly string[]).includes(p));
  if (asked.length === 0 || unknown.length > 0) throw new Error(`--only takes a comma-separated list of ${PARTS.join(', ')}`);
  return new Set(asked as Part[]);
}
const ONLY = onlyParts();

function log(line: string): void {
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

function gatewayYaml(): string {
  // Only the load's source changes: token auth (the cheapest real check) and a rate limit far above any offered load.
  return [
    'sources:',
    '  - id: octapush-sms',
    '    provider: octapush',
    '    kind: sms',
    `    auth: { type: token, value: "${TOKEN}", param: key }`,
    '    rateLimit: { requestsPerSecond: 1000000, burst: 1000000 }',
    '',
  ].join('\n');
}

function childEnv(infra: BenchInfra, service: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    // Launched as npm start, compose and k8s launch it (the tracker's heap limit, young generation and malloc arenas).
    ...serviceEnvironment(service),
    NODE_OPTIONS: process.env.NODE_OPTIONS || serviceNodeOptions(service),
    NODE_ENV: 'production',
    KAFKA_BROKERS: infra.brokers.join(','),
    DATABASE_URL: infra.databaseUrl,
    HOOKBUS_CONFIG: join(ROOT, 'bench', 'results', 'hookbus.bench.yaml'),
    LOG_LEVEL: 'warn',
    GATEWAY_PORT: String(PORTS.gateway),
    NORMALIZER_PORT: String(PORTS.normalizer),
    TRACKER_PORT: String(PORTS.tracker),
    ORCHESTRATOR_PORT: '0',
    PROJECTOR_PORT: String(PORTS.projector),
    ...extra,
  };
  return withOverrides(env, process.env.BENCH_SERVICE_ENV, service);
}

/**
 * One load run in its own process: autocannon as fast as the server answers, or the paced open-loop generator at a
 * fixed rate (see paced-worker.ts for why not autocannon there). Sampled receipts go to `onReceipts` as they arrive.
 */
async function runLoad(spec: LoadSpec, onReceipts: (r: Array<[string, number]>) => void = () => undefined): Promise<LoadResult> {
  const worker = spec.rate > 0 ? 'paced-worker.js' : 'autocannon-worker.js';
  const child = forkNode(spec.rate > 0 ? 'paced load' : 'autocannon', join(DIST, 'bench', 'load', worker), { PATH: process.env.PATH, BENCH_LOAD: JSON.stringify(spec) });
  return new Promise<LoadResult>((resolve, reject) => {
    let result: LoadResult | null = null;
    const guard = setTimeout(() => child.process.kill('SIGKILL'), (spec.durationSec + 60) * 1000);
    child.process.on('message', (m: LoadMessage) => {
      if (m.type === 'receipts') onReceipts(m.receipts);
      else if (m.type === 'result') result = m.result;
      else reject(new Error(`autocannon: ${m.message}`));
    });
    void child.exited().then(() => {
      clearTimeout(guard);
      if (result) resolve(result);
      else reject(new Error(`autocannon ended without a result:\n${child.tail()}`));
    });
  });
}

function loadSpec(url: string, durationSec: number, rate: number, sampleEvery = 0): LoadSpec {
  return { url, // A fixed rate needs enough connections that one request in flight per connection never caps it (no
  // pipelining): 10 requests/s per connection leaves room for 100 ms answers.
  connections: rate > 0 ? Math.max(20, Math.ceil(rate / 10)) : SETTINGS.connections, durationSec, rate, keySpace: 20_000, keyBase: 10_000_000 + Math.floor(Math.random() * 80_000_000), sampleEvery };
}

async function scrape(url: string): Promise<string> {
  try {
    return await (await fetch(url, { signal: AbortSignal.timeout(3000) })).text();
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Gateway ingest vs baselines

async function ingest(infra: BenchInfra): Promise<IngestRun[]> {
  const runs: IngestRun[] = [];
  const targets = [
    { name: 'bare' as const, script: join(DIST, 'bench', 'baselines', 'bare-http.js'), port: PORTS.bare, path: '/webhooks/octapush-sms', ready: '/' },
    { name: 'naive' as const, script: join(DIST, 'bench', 'baselines', 'naive-nest.js'), port: PORTS.naive, path: '/webhooks/octapush-sms', ready: '/' },
    { name: 'durable' as const, script: join(DIST, 'bench', 'baselines', 'durable-http.js'), port: PORTS.durable, path: '/webhooks/octapush-sms', ready: '/' },
    { name: 'gateway' as const, script: join(DIST, 'apps', 'gateway', 'src', 'main.js'), port: PORTS.gateway, path: `/webhooks/octapush-sms?key=${TOKEN}`, ready: '/health/ready' },
  ];
  for (let run = 1; run <= SETTINGS.ingestRuns; run++) {
    for (const target of targets) {
      const child = spawnNode(target.name, target.script, childEnv(infra, target.name, { PORT: String(target.port), NAIVE_TOPIC: NAIVE_TOPIC_NAME, DURABLE_TOPIC: DURABLE_TOPIC_NAME }));
      try {
        const base = `http://127.0.0.1:${target.port}`;
        await waitHttp(`${base}${target.ready}`, child, target.name);
        await runLoad(loadSpec(`${base}${target.path}`, SETTINGS.warmupSec, 0));
        const before = target.name === 'gateway' ? await scrape(`${base}/metrics`) : '';
        const cpuBefore = processCpuSeconds(child.pid);
        const result = await runLoad(loadSpec(`${base}${target.path}`, SETTINGS.ingestSec, 0));
        const cpuUsPer2xx = result.ok2xx > 0 ? ((processCpuSeconds(child.pid) - cpuBefore) / result.ok2xx) * 1e6 : NaN;
        const after = target.name === 'gateway' ? await scrape(`${base}/metrics`) : '';
        const mem = readMemory(child.pid);
        const batches = metricSum(after, 'hookbus_gateway_produce_batch_records_count') - metricSum(before, 'hookbus_gateway_produce_batch_records_count');
        const batchRecords = metricSum(after, 'hookbus_gateway_produce_batch_records_sum') - metricSum(before, 'hookbus_gateway_produce_batch_records_sum');
        const produceSec = metricSum(after, 'hookbus_gateway_produce_seconds_sum') - metricSum(before, 'hookbus_gateway_produce_seconds_sum');
        runs.push({ run, target: target.name, result, peakRssMb: mem?.hwmMb ?? NaN, avgBatchRecords: batches > 0 ? batchRecords / batches : NaN, avgProduceMs: batches > 0 ? (produceSec / batches) * 1000 : NaN, cpuUsPer2xx });
        log(`ingest run ${run} ${target.name}: ${Math.round(result.okPerSec)} 2xx/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, non-2xx ${result.non2xx}, errors ${result.errors}, server CPU ${Math.round(cpuUsPer2xx)} µs per 2xx`);
        if (target.name === 'gateway') {
          // Issue 3's latency target: the same gateway, still warm, at a steady 2,000 requests/s.
          const steady = await runLoad(loadSpec(`${base}${target.path}`, SETTINGS.ingestSec, 2000));
          runs.push({ run, target: 'gateway-steady', result: steady, peakRssMb: readMemory(child.pid)?.hwmMb ?? NaN, avgBatchRecords: NaN, avgProduceMs: NaN });
          log(`ingest run ${run} gateway at a steady 2000/s: ${Math.round(steady.okPerSec)} 2xx/s, p50 ${steady.latencyMs.p50} ms, p99 ${steady.latencyMs.p99} ms, non-2xx ${steady.non2xx}, errors ${steady.errors}`);
        }
      } finally {
        await stopChild(child);
      }
    }
  }
  return runs;
}

// ---------------------------------------------------------------------------------------------------------------
// Drain rates from pre-filled topics

// Each stage drains what the stage table (libs/contracts/src/stages.ts) says it reads.
const RAW_TOPICS = STAGES.normalizer.inputs;
const TRACKER_INPUTS = STAGES.tracker.inputs;
const PROJECTOR_TOPICS = STAGES.projector.inputs;

async function drainStage(infra: BenchInfra, stage: DrainRun['stage'], topics: readonly string[], start: Offsets, run: number): Promise<DrainRun> {
  const groupId = `hookbus-bench-${stage}-${RUN_ID}-${run}`;
  const startAt = new Map([...start].filter(([t]) => topics.includes(t)));
  const target = await endOffsets(infra.admin, topics);
  await placeGroup(infra.kafka, groupId, startAt);
  const child = spawnNode(stage, join(DIST, 'bench', 'service-child.js'), childEnv(infra, stage, { BENCH_GROUP_ID: groupId, NORMALIZER_PORT: '0', TRACKER_PORT: '0', PROJECTOR_PORT: '0' }), [stage]);
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, readMemory(child.pid)?.hwmMb ?? 0)), 500);
  try {
    // The limit scales with the records (a big drain is slow, not failed); a stage that exits ends the watch at once.
    const limitMs = drainTimeoutMs(delta(startAt, target));
    const seen = await watchDrain(infra.admin, groupId, startAt, target, limitMs, 1500, () => child.exit() !== null, () => cpuReading(child.pid));
    if (seen.exited) {
      const failure = child.describeExit();
      log(`drain run ${run} ${stage} FAILED after ${seen.progressAtEnd}/${seen.target} offsets: ${failure}`);
      return { run, stage, records: seen.target, drained: seen.progressAtEnd, caughtUp: false, failure, startupMs: seen.firstCommitMs, steadyPerSec: NaN, wallPerSec: NaN, peakRssMb: peak };
    }
    const steadyMs = seen.lastChangeMs - seen.firstCommitMs;
    const steady = steadyMs > 0 ? ((seen.progressAtEnd - seen.progressAtFirst) / steadyMs) * 1000 : NaN;
    const wall = seen.lastChangeMs > 0 ? (seen.progressAtEnd / seen.lastChangeMs) * 1000 : NaN;
    const perTopic = [...target].map(([topic, parts]) => [topic, [...parts].reduce((sum, [p, end]) => sum + Math.max(0, end - (startAt.get(topic)?.get(p) ?? end)), 0)] as const).filter(([, n]) => n > 0);
    log(`drain run ${run} ${stage} input: ${perTopic.map(([t, n]) => `${t} ${n}`).join(', ')}`);
    const { cpuUsPerRecord, mainThreadBusy } = drainCpu(seen);
    log(`drain run ${run} ${stage}: ${seen.progressAtEnd}/${seen.target} offsets, ${Math.round(steady)}/s after the first commit (${Math.round(seen.firstCommitMs)} ms to start), ${Math.round(wall)}/s from spawn, ${Number.isFinite(cpuUsPerRecord) ? `${Math.round(cpuUsPerRecord)} µs CPU per offset, main thread ${Math.round(mainThreadBusy * 100)} % busy` : 'no CPU figure (an empty window)'}${seen.caughtUp ? '' : ` — DID NOT CATCH UP within ${Math.round(limitMs / 1000)} s (the stage still ran: slow, not dead)`}`);
    return { run, stage, records: seen.target, drained: seen.progressAtEnd, caughtUp: seen.caughtUp, startupMs: seen.firstCommitMs, steadyPerSec: steady, wallPerSec: wall, peakRssMb: Math.max(peak, readMemory(child.pid)?.hwmMb ?? 0), cpuUsPerRecord, mainThreadBusy };
  } finally {
    clearInterval(sampler);
    await stopChild(child);
  }
}

async function drains(infra: BenchInfra): Promise<DrainRun[]> {
  const runs: DrainRun[] = [];
  const producer = infra.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    for (let run = 1; run <= SETTINGS.drainRuns; run++) {
      const start = await endOffsets(infra.admin, [...new Set([...RAW_TOPICS, ...TRACKER_INPUTS, ...PROJECTOR_TOPICS])]);
      const began = Date.now();
      const written = await prefillRaw(producer, SETTINGS.drainRecords, 1_000_000, 1_000_000 + Math.floor(Math.random() * 1e9) + run * 1_000_000);
      log(`drain run ${run}: pre-filled ${written} raw records in ${((Date.now() - began) / 1000).toFixed(1)} s`);
      runs.push(await drainStage(infra, 'normalizer', RAW_TOPICS, start, run));
      runs.push(await drainStage(infra, 'copy-normalizer', RAW_TOPICS, start, run));
      runs.push(await drainStage(infra, 'tracker', TRACKER_INPUTS, start, run));
      runs.push(await drainStage(infra, 'copy-tracker', TRACKER_INPUTS, start, run));
      runs.push(await drainStage(infra, 'projector', PROJECTOR_TOPICS, start, run));
    }
  } finally {
    await producer.disconnect();
  }
  return runs;
}

// ---------------------------------------------------------------------------------------------------------------
// End to end (gateway 200 → row in Postgres), memory and soak

interface Stack {
  readonly children: Record<'gateway' | 'normalizer' | 'tracker' | 'projector', SpawnedChild>;
  /** The consuming stages' consumer groups and what each reads: how far behind the stack is. */
  readonly groups: ReadonlyArray<{ readonly groupId: string; readonly topics: readonly string[] }>;
}

async function startStack(infra: BenchInfra): Promise<Stack> {
  const consuming = ['normalizer', 'tracker', 'projector'] as const;
  const now = await endOffsets(infra.admin, allTopics().map((t) => t.name));
  const inputs = { normalizer: RAW_TOPICS, tracker: TRACKER_INPUTS, projector: PROJECTOR_TOPICS };
  const children = {} as Stack['children'];
  const groups: Array<Stack['groups'][number]> = [];
  children.gateway = spawnNode('gateway', join(DIST, 'apps', 'gateway', 'src', 'main.js'), childEnv(infra, 'gateway'));
  for (const name of consuming) {
    const groupId = `hookbus-bench-e2e-${name}-${RUN_ID}`;
    await placeGroup(infra.kafka, groupId, new Map([...now].filter(([t]) => (inputs[name] as readonly string[]).includes(t))));
    groups.push({ groupId, topics: inputs[name] });
    children[name] = spawnNode(name, join(DIST, 'bench', 'service-child.js'), childEnv(infra, name, { BENCH_GROUP_ID: groupId }), [name]);
  }
  const began = Date.now();
  for (const name of ['gateway', ...consuming] as const) {
    await waitHttp(`http://127.0.0.1:${PORTS[name]}/health/ready`, children[name], name, 120_000);
    log(`e2e stack: ${name} ready after ${((Date.now() - began) / 1000).toFixed(1)} s`);
  }
  return { children, groups };
}

/** Records the stack's consumer groups still have to read (all stages together). */
async function stackBacklog(infra: BenchInfra, stack: Stack): Promise<number> {
  let sum = 0;
  for (const { groupId, topics } of stack.groups) sum += backlog(await endOffsets(infra.admin, topics), await committed(infra.admin, groupId, topics));
  return sum;
}

/** Waits (bounded) until the stack has drained what earlier runs left; says how long it took and whether it did. */
async function settle(infra: BenchInfra, stack: Stack): Promise<{ settleMs: number; settled: boolean }> {
  const began = Date.now();
  let left = NaN;
  const settled = await pollUntil(async () => (left = await stackBacklog(infra, stack).catch(() => NaN)) === 0, SETTLE_LIMIT_SEC * 1000, 500);
  const settleMs = Date.now() - began;
  if (!settled) log(`e2e: the stack did not drain within ${SETTLE_LIMIT_SEC} s (${left} records behind); the next run starts on that backlog`);
  else if (settleMs > 1000) log(`e2e: waited ${(settleMs / 1000).toFixed(1)} s for the stack to drain what the previous run left`);
  return { settleMs, settled };
}

/** Follows sampled receipt ids until their rows are visible: the event row (through the normalizer) and the archived receipt. */
class VisibilityWatcher {
  private readonly pendingEvent = new Map<string, number>();
  private readonly pendingReceipt = new Map<string, number>();
  readonly eventLatencies: number[] = [];
  readonly receiptLatencies: number[] = [];
  /** How long each poll's query took: a row is seen up to that much after it became visible. */
  readonly pollMillis: number[] = [];
  private stopped = false;
  private loop: Promise<void> = Promise.resolve();

  constructor(private readonly client: Client) {}

  add(receipts: Array<[string, number]>): void {
    for (const [id, at] of receipts) {
      this.pendingEvent.set(id, at);
      this.pendingReceipt.set(id, at);
    }
  }

  get pending(): number {
    return this.pendingEvent.size + this.pendingReceipt.size;
  }

  start(): void {
    this.loop = (async () => {
      while (!this.stopped) {
        await this.poll(this.pendingEvent, 'select distinct receipt_id::text as id from hookbus.events where receipt_id = any($1::uuid[])', this.eventLatencies);
        await this.poll(this.pendingReceipt, 'select receipt_id::text as id from hookbus.receipts where receipt_id = any($1::uuid[])', this.receiptLatencies);
        await sleep(50);
      }
    })();
  }

  private async poll(pending: Map<string, number>, sql: string, into: number[]): Promise<void> {
    if (pending.size === 0) return;
    const ids = [...pending.keys()].slice(0, 20_000);
    const asked = performance.now();
    const { rows } = await this.client.query<{ id: string }>(sql, [ids]);
    const seenAt = Date.now();
    this.pollMillis.push(performance.now() - asked);
    for (const { id } of rows) {
      const at = pending.get(id);
      if (at === undefined) continue;
      into.push(Math.max(0, seenAt - at));
      pending.delete(id);
    }
  }

  /** Stops following; what is still pending counts as not visible. */
  async stop(): Promise<number> {
    this.stopped = true;
    await this.loop;
    return this.pendingEvent.size;
  }
}

const FOLLOWED_PER_SEC = 50;
/** Growth over the soak is judged on the peak RSS of this many equal windows after warm-up (see peakEnvelope). */
const MEMORY_WINDOWS = 8;

/**
 * The follower's tables get fresh planner statistics before each run. Where autovacuum is off (this machine's CI
 * Postgres: conf.d/90-ci.conf), nothing else ever analyzes them: after the soak the planner guessed 1.4 million matching
 * rows for a hundred receipt ids and seq-scanned 1.7 million rows, with two parallel workers, on every poll — a second
 * per poll, back to back, which took about a core from the stack it measured and added up to that second to every
 * latency it read (the capacity probes after the soak failed at 550/s with p50 1.6 s where the fixed 500/s before it
 * held with p50 0.2 s). With statistics the same query is a few index probes.
 */
async function analyzeFollowedTables(db: Client): Promise<number> {
  const started = performance.now();
  await db.query('ANALYZE hookbus.events, hookbus.receipts');
  return performance.now() - started;
}

async function e2eAt(db: Client, rate: number, durationSec: number, stack: Stack): Promise<E2eRun> {
  const analyzeMs = await analyzeFollowedTables(db);
  const watcher = new VisibilityWatcher(db);
  watcher.start();
  const services = new Map(Object.entries(stack.children).map(([name, child]) => [child.pid, name]));
  const cpuBefore = cpuSnapshot(services);
  // The follower's queries run on the same two cores: at 250 followed ids/s its polling alone took a third of a core
  // (index probes for every pending id, every 50 ms). 50/s keeps it small and still gives 3,000 samples a minute.
  const sampleEvery = Math.max(1, Math.round(rate / FOLLOWED_PER_SEC));
  const result = await runLoad(loadSpec(`http://127.0.0.1:${PORTS.gateway}/webhooks/octapush-sms?key=${TOKEN}`, durationSec, rate, sampleEvery), (r) => watcher.add(r));
  const cores = coresBetween(cpuBefore, cpuSnapshot(services), { 'load generator': (result.cpuSeconds ?? 0) / durationSec });
  // Let the pipeline finish what it was given (bounded): a stage that falls behind shows as latency, then as missing.
  await pollUntil(async () => watcher.pending === 0, VISIBLE_WAIT_SEC * 1000, 200);
  const missing = await watcher.stop();
  const ev = watcher.eventLatencies;
  const rc = watcher.receiptLatencies;
  const run: E2eRun = {
    rate,
    durationSec,
    gateway: result,
    samples: ev.length,
    missing,
    event: { p50: percentile(ev, 50), p95: percentile(ev, 95), p99: percentile(ev, 99), max: percentile(ev, 100) },
    receipt: { p50: percentile(rc, 50), p95: percentile(rc, 95), p99: percentile(rc, 99), max: percentile(rc, 100) },
    cores,
    followPollMs: { p50: percentile(watcher.pollMillis, 50), p99: percentile(watcher.pollMillis, 99), max: percentile(watcher.pollMillis, 100) },
    analyzeMs,
  };
  log(`e2e ${rate}/s cores: ${Object.entries(cores).map(([group, used]) => `${group} ${used.toFixed(2)}`).join(', ')}`);
  log(`e2e ${rate}/s: gateway ${Math.round(result.okPerSec)} 2xx/s p99 ${result.latencyMs.p99} ms; event row p50 ${run.event.p50} p95 ${run.event.p95} p99 ${run.event.p99} ms (${ev.length} samples, ${missing} missing); follower's polls p50 ${run.followPollMs!.p50.toFixed(1)} max ${run.followPollMs!.max.toFixed(1)} ms (ANALYZE before: ${Math.round(analyzeMs)} ms)`);
  return run;
}

/**
 * The capacity search on the running stack, after the fixed rates and the soak: those runs' verdicts are where it
 * starts (same stack, same probe length, same criterion), so it spends its probes above the best of them or between
 * a pass and a failure. After the soak, so that the memory figures stay those of 2,000/s and the probes above it do
 * not raise the peaks the report judges; each probe waits first for the stack to drain what the run before left.
 */
async function capacitySearch(infra: BenchInfra, db: Client, stack: Stack, fixed: readonly CapacityProbeRun[]): Promise<CapacityResult> {
  const began = Date.now();
  const probes: CapacityProbeRun[] = [...fixed];
  let made = 0;
  let stopped = '';
  for (;;) {
    const step = nextCapacityRate(probes.map((p) => ({ rate: p.run.rate, passed: p.passed })), made, (Date.now() - began) / 1000, CAPACITY_PLAN);
    if ('stop' in step) {
      stopped = step.stop;
      break;
    }
    const { settleMs, settled } = await settle(infra, stack);
    const run = await e2eAt(db, step.next, SETTINGS.e2eSec, stack);
    const why = capacityFailures(run);
    probes.push({ source: 'probe', passed: why.length === 0, why, settleMs, settled, run });
    made++;
    log(`capacity probe ${made} at ${step.next}/s: ${why.length === 0 ? 'held' : `did not hold: ${why.join('; ')}`}`);
  }
  const best = highestPass(probes);
  const result: CapacityResult = {
    p99LimitMs: CAPACITY_P99_LIMIT_MS,
    probeSec: SETTINGS.e2eSec,
    plan: { factor: CAPACITY_PLAN.factor, resolution: CAPACITY_PLAN.resolution, maxProbes: CAPACITY_PLAN.maxProbes, budgetSec: CAPACITY_PLAN.budgetSec },
    probes,
    best,
    cpuMsPerWebhook: best?.run.cores ? cpuMsPerWebhook(best.run.cores, best.run.gateway.okPerSec) : {},
    stopped,
    searchSec: (Date.now() - began) / 1000,
  };
  const cpu = Object.entries(result.cpuMsPerWebhook).map(([group, ms]) => `${group} ${ms.toFixed(3)}`).join(', ');
  log(`capacity: ${best ? `${best.run.rate}/s offered (${Math.round(best.run.gateway.okPerSec)} accepted/s), event row p99 ${best.run.event.p99} ms; ms CPU per webhook: ${cpu}` : 'no rate held'} — ${made} probe(s) in ${Math.round(result.searchSec)} s, stopped: ${stopped}`);
  return result;
}

async function endToEnd(infra: BenchInfra): Promise<{ e2e: E2eRun[]; capacity: CapacityResult; memory: MemoryRun[]; gatewayMetrics: string }> {
  const stack = await startStack(infra);
  const db = new Client({ connectionString: infra.databaseUrl, application_name: 'hookbus-bench' });
  await db.connect();
  // The follower must never cost the stack more than its index probes: no parallel workers (a fork per worker per
  // poll) and no JIT compilation for these small queries, whatever the planner estimates.
  await db.query('SET max_parallel_workers_per_gather = 0');
  await db.query('SET jit = off');
  const e2e: E2eRun[] = [];
  const memory: MemoryRun[] = [];
  try {
    // Every service has just started cold (JIT, pools, first transactions): warm the whole stack up first, unmeasured,
    // as a deployed stack would be, so the first rate does not pay for start-up.
    const warmup = await runLoad(loadSpec(`http://127.0.0.1:${PORTS.gateway}/webhooks/octapush-sms?key=${TOKEN}`, Math.max(3, SETTINGS.warmupSec * 3), 300));
    log(`e2e warm-up: ${Math.round(warmup.okPerSec)} 2xx/s, p99 ${warmup.latencyMs.p99} ms (not counted)`);
    const fixed: CapacityProbeRun[] = [];
    for (const rate of SETTINGS.rates) {
      const { settleMs, settled } = await settle(infra, stack);
      const run = await e2eAt(db, rate, SETTINGS.e2eSec, stack);
      e2e.push(run);
      const why = capacityFailures(run);
      fixed.push({ source: 'fixed', passed: why.length === 0, why, settleMs, settled, run });
      if (rate !== 2000) continue;
      // Soak straight after the 2,000/s run: same load, RSS of every service sampled along the way, and what V8 says
      // of its heap (the services' /metrics): RSS alone cannot tell memory something keeps from a heap sized up.
      const names = Object.keys(stack.children) as Array<keyof Stack['children']>;
      const series = new Map<string, Array<[number, number]>>(names.map((n) => [n, []]));
      const heapSeries = new Map<string, Array<[number, number, number, number]>>(names.map((n) => [n, []]));
      const scrapesFailed = new Map<string, number>(names.map((n) => [n, 0]));
      const began = Date.now();
      let scraping: Promise<unknown> | null = null;
      const sampler = setInterval(() => {
        for (const [name, child] of Object.entries(stack.children)) {
          const m = readMemory(child.pid);
          if (m) series.get(name)!.push([(Date.now() - began) / 60_000, m.rssMb]);
        }
        // One scrape of each service at a time (each bounded by 3 s, under the 5 s interval); a slow one skips a turn.
        if (scraping) return;
        scraping = Promise.all(
          names.map(async (name) => {
            const heap = heapReading(await scrape(`http://127.0.0.1:${PORTS[name]}/metrics`));
            if (heap) heapSeries.get(name)!.push([(Date.now() - began) / 60_000, heap.usedMb, heap.externalMb, heap.majorGcs]);
            else scrapesFailed.set(name, scrapesFailed.get(name)! + 1);
          }),
        ).finally(() => (scraping = null));
      }, quick ? 1000 : 5000);
      let soak: Awaited<ReturnType<typeof runLoad>>;
      try {
        soak = await runLoad(loadSpec(`http://127.0.0.1:${PORTS.gateway}/webhooks/octapush-sms?key=${TOKEN}`, SETTINGS.soakSec, 2000));
      } finally {
        clearInterval(sampler);
        await scraping;
      }
      log(`soak ${SETTINGS.soakSec} s at 2000/s: ${Math.round(soak.okPerSec)} 2xx/s, p99 ${soak.latencyMs.p99} ms`);
      // The first fifth is warm-up (heaps and pools growing to their working size); growth is judged after it.
      const afterWarmUp = <T extends readonly number[]>(points: readonly T[]) => points.filter(([t]) => t! >= (SETTINGS.soakSec / 60) * 0.2);
      for (const [name, child] of Object.entries(stack.children)) {
        const points = series.get(name)!;
        const settled = afterWarmUp(points);
        const heap = afterWarmUp(heapSeries.get(name)!);
        const m = readMemory(child.pid);
        const growth = slope(peakEnvelope(settled, MEMORY_WINDOWS));
        const kept = keptGrowth(heap.map(([t, used, , majors]) => [t, used, majors] as const));
        const keptExternal = keptGrowth(heap.map(([t, , external, majors]) => [t, external, majors] as const));
        memory.push({
          service: name, peakRssMb: m?.hwmMb ?? NaN, endRssMb: m?.rssMb ?? NaN, startRssMb: settled[0]?.[1] ?? NaN, growthMbPerMin: growth, sampleSlopeMbPerMin: slope(settled),
          heapKeptGrowthMbPerMin: kept.mbPerMin, externalKeptGrowthMbPerMin: keptExternal.mbPerMin, heapReadingsAfterMajor: kept.readings, heapScrapes: heapSeries.get(name)!.length + scrapesFailed.get(name)!, heapScrapesFailed: scrapesFailed.get(name)!,
          soakSec: SETTINGS.soakSec, soakOkPerSec: soak.okPerSec, series: points, heapSeries: heapSeries.get(name)!,
        });
        log(`memory ${name}: peak ${m?.hwmMb.toFixed(0)} MB, growth of the peaks ${growth.toFixed(2)} MB/min (all samples ${slope(settled).toFixed(2)}); heap in use after major collections ${kept.mbPerMin.toFixed(2)} MB/min, external ${keptExternal.mbPerMin.toFixed(2)} (${kept.readings} readings after a major collection after warm-up; ${scrapesFailed.get(name)} of ${heapSeries.get(name)!.length + scrapesFailed.get(name)!} scrapes failed)`);
      }
    }
    const capacity = await capacitySearch(infra, db, stack, fixed);
    const gatewayMetrics = (await scrape(`http://127.0.0.1:${PORTS.gateway}/metrics`)).split('\n').filter((l) => l.startsWith('hookbus_gateway_') && !l.includes('_bucket')).join('\n');
    return { e2e, capacity, memory, gatewayMetrics };
  } finally {
    await db.end().catch(() => undefined);
    await Promise.all(Object.values(stack.children).map((c) => stopChild(c)));
  }
}

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const began = Date.now();
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'hookbus.bench.yaml'), gatewayYaml());
  log(`mode ${SETTINGS.mode}; run id ${RUN_ID}`);
  const loadAtStart = loadavg()[0]!;
  if (ONLY.has('console-search')) {
    // Postgres only: no broker is started for it.
    const search = await consoleSearch({ databaseUrl: searchBenchDatabaseUrl(process.env), reuse: process.argv.includes('--search-reuse'), log });
    const section = consoleSearchSection(search);
    writeFileSync(join(ROOT, 'bench', 'results', `console-search-${RUN_ID}.json`), JSON.stringify(search, null, 2));
    writeFileSync(join(ROOT, 'bench', 'results', `console-search-${RUN_ID}.md`), section);
    log(`console-search: section for BENCHMARKS.md in bench/results/console-search-${RUN_ID}.md\n${section}`);
    if (ONLY.size === 1) return;
  }
  const infra = await prepareInfra(log, [NAIVE_TOPIC_NAME, DURABLE_TOPIC_NAME, COPY_TOPIC]);
  try {
    const machine = await machineInfo(infra.databaseUrl);
    log(`machine: ${machine.cores} cores, ${machine.cpuModel}, ${machine.memoryGb} GB`);
    const ceilings: CeilingRun[] = ONLY.has('ceilings')
      ? await kafkaCeilings({ signal: stopRequested.signal, admin: infra.admin, bootstrap: infra.brokers.join(','), runs: SETTINGS.ceilingRuns, records: SETTINGS.ceilingRecords, runId: RUN_ID, log })
      : [];
    const ingestRuns = ONLY.has('ingest') ? await ingest(infra) : [];
    const drainRuns = ONLY.has('drain') ? await drains(infra) : [];
    const { e2e, capacity, memory, gatewayMetrics } = ONLY.has('e2e') ? await endToEnd(infra) : { e2e: [], capacity: undefined, memory: [], gatewayMetrics: '' };
    if (ONLY.has('tracker-scale')) {
      const scale = await trackerScale(infra, {
        entities: SETTINGS.entities,
        runId: RUN_ID,
        script: join(DIST, 'bench', 'service-child.js'),
        env: (extra) => childEnv(infra, 'tracker', extra),
        log,
      });
      const section = trackerScaleSection(scale, machine, loadavg()[0]!);
      writeFileSync(join(ROOT, 'bench', 'results', `tracker-scale-${RUN_ID}.md`), section);
      log(`tracker-scale: section for BENCHMARKS.md in bench/results/tracker-scale-${RUN_ID}.md\n${section}`);
    }
    // A stage or load generator that died makes its figures meaningless: said once more at the end, and the run fails
    // (exit 2, BENCHMARKS.md untouched), whatever the stage's exit code (a SIGTERM from outside ends one with 0).
    const failures = runFailures(drainRuns);
    const results: BenchResults = { loadAverage: { start: loadAtStart, end: loadavg()[0]! }, runId: RUN_ID, startedAt: new Date(began).toISOString(), totalSec: (Date.now() - began) / 1000, settings: { ...SETTINGS, visibleWaitSec: VISIBLE_WAIT_SEC, settleLimitSec: SETTLE_LIMIT_SEC }, machine, ceilings, ingest: ingestRuns, drains: drainRuns, e2e, capacity, memory, gatewayMetrics };
    writeFileSync(join(ROOT, 'bench', 'results', `bench-${RUN_ID}.json`), JSON.stringify(results, null, 2));
    if (failures.length > 0) {
      throw new BenchFailed(`${failures.length} process(es) of the bench exited during the run (figures in bench/results/bench-${RUN_ID}.json; BENCHMARKS.md left as it was):\n  ${failures.join('\n  ')}`);
    }
    // Every figure beside its ceiling, as the report puts them (medians over this run's runs).
    for (const line of ceilingLines(results, median)) log(line);
    if (FULL_RUN.some((part) => !ONLY.has(part))) {
      log(`partial run (--only ${[...ONLY].join(',')}): figures in bench/results/bench-${RUN_ID}.json; BENCHMARKS.md left as it was`);
      return;
    }
    mkdirSync(join(ROOT, 'docs', 'bench'), { recursive: true });
    const png = latencyChartPng(
      `End-to-end latency, gateway 200 → row in Postgres (${SETTINGS.mode} run)`,
      [
        { name: 'e2e p50', color: '#1b9e77', points: e2e.map((r) => [r.rate, r.event.p50] as const) },
        { name: 'e2e p95', color: '#d95f02', points: e2e.map((r) => [r.rate, r.event.p95] as const) },
        { name: 'e2e p99', color: '#7570b3', points: e2e.map((r) => [r.rate, r.event.p99] as const) },
        { name: 'gateway p99', color: '#e7298a', dashed: true, points: e2e.map((r) => [r.rate, r.gateway.latencyMs.p99] as const) },
      ],
      SETTINGS.rates,
    );
    writeFileSync(join(ROOT, 'docs', 'bench', 'latency.png'), png);
    writeReport(join(ROOT, 'BENCHMARKS.md'), results, median);
    log(`wrote BENCHMARKS.md and docs/bench/latency.png in ${((Date.now() - began) / 1000).toFixed(0)} s`);
  } finally {
    await stopAllChildren();
    await infra.close();
  }
}

process.on('exit', killAllChildrenNow);
/** Aborted by the first SIGINT or SIGTERM: parts that start work in steps (the ceilings' tools) start no more. */
const stopRequested = new AbortController();
/**
 * The stop under way after the first SIGINT or SIGTERM (children, then the broker the bench started), which ends the
 * process with 128 + the signal's number. main() goes on until what it awaits fails or ends, and then waits for that
 * stop rather than exit under it. A second signal exits at once (the children are killed; the broker-guard stops the
 * broker), for a bench held by a Kafka tool under spawnSync, which no handler can interrupt.
 */
let interrupted: Promise<void> | null = null;
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.on(signal, () => {
    if (interrupted) {
      log(`${signal} again: exiting now`);
      killAllChildrenNow();
      process.exit(code);
    }
    log(`${signal}: stopping every child`);
    stopRequested.abort();
    interrupted = stopEverything(signal).finally(() => process.exit(code));
  });
}

/** The services the bench started, then its broker: each exit path waits for the same stop (stopStartedBroker is one). */
async function stopEverything(why: string): Promise<void> {
  await stopAllChildren()
    .then(() => stopStartedBroker(log))
    .catch((error: unknown) => log(`${why}: ${error instanceof Error ? error.message : String(error)}`));
}

/** Every ending of main() goes through here: a signal's stop under way decides the exit code. */
async function exitWith(code: number): Promise<never> {
  await stopEverything('exit');
  if (interrupted) await interrupted;
  process.exit(code);
}

main().then(
  () => exitWith(0),
  (error: unknown) => {
    if (error instanceof BenchFailed) process.stderr.write(`bench FAILED: ${error.message}\n`);
    else if (!stopRequested.signal.aborted) process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return exitWith(error instanceof BenchFailed ? 2 : 1);
  },
);

export { delta };
