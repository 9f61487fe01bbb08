import { writeFileSync } from 'node:fs';
import type { LoadResult } from './load/load-spec';
import type { MachineInfo } from './lib/setup';
import type { TrackerScaleRun } from './tracker-scale';
import type { CeilingRun } from './ceilings';

export const NAIVE_TOPIC_NAME = 'hookbus-bench.naive';
/** Where the durable baseline (bench/baselines/durable-http.ts) writes. */
export const DURABLE_TOPIC_NAME = 'hookbus-bench.durable';
/** Where the drain baselines (`copy-normalizer`, `copy-tracker` in bench/service-child.ts) write. */
export const COPY_TOPIC = 'hookbus-bench.copy';

export interface IngestRun {
  readonly run: number;
  /** `gateway-steady`: the gateway alone at a fixed 2,000 requests/s (issue 3's p99 target), paced generator. */
  readonly target: 'bare' | 'naive' | 'durable' | 'gateway' | 'gateway-steady';
  readonly result: LoadResult;
  readonly peakRssMb: number;
  readonly avgBatchRecords: number;
  readonly avgProduceMs: number;
  /**
   * The server process' CPU time (user + system) over the measured run, per 2xx answer, in microseconds; absent in
   * results from older runs and for the steady run.
   */
  readonly cpuUsPer2xx?: number;
}

export interface DrainRun {
  readonly run: number;
  /** `copy-*`: the drain baseline of that stage (same runner and inputs, a sink that only copies each record). */
  readonly stage: 'normalizer' | 'tracker' | 'projector' | 'copy-normalizer' | 'copy-tracker';
  readonly records: number;
  readonly drained: number;
  readonly caughtUp: boolean;
  /** Set when the stage's process exited during the drain: its exit code or signal and last stderr lines. */
  readonly failure?: string;
  readonly startupMs: number;
  readonly steadyPerSec: number;
  readonly wallPerSec: number;
  readonly peakRssMb: number;
  /** Over the steady window (bench/lib/cpu.ts drainCpu); absent in results written before they were measured. */
  readonly cpuUsPerRecord?: number;
  readonly mainThreadBusy?: number;
}

export interface Percentiles {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

export interface E2eRun {
  readonly rate: number;
  readonly durationSec: number;
  readonly gateway: LoadResult;
  readonly samples: number;
  readonly missing: number;
  readonly event: Percentiles;
  readonly receipt: Percentiles;
  /** Cores used by each process group while the load ran (bench/lib/cpu.ts); absent in results from older runs. */
  readonly cores?: Readonly<Record<string, number>>;
  /** How long the follower's polls took (a row is seen up to that late); absent in results from older runs. */
  readonly followPollMs?: { readonly p50: number; readonly p99: number; readonly max: number };
  /** The ANALYZE of the followed tables before the run (bench/run.ts analyzeFollowedTables). */
  readonly analyzeMs?: number;
}

/** One rate judged by the capacity search (bench/capacity.ts): a fixed rate it started from, or one of its probes. */
export interface CapacityProbeRun {
  readonly source: 'fixed' | 'probe';
  readonly passed: boolean;
  /** Why it did not hold (empty when it did). */
  readonly why: readonly string[];
  /** ms spent waiting for the stack to drain what earlier runs left before this one began (NaN: not waited). */
  readonly settleMs: number;
  /** Whether the stack had drained when this run began (false: it began with a backlog, after the wait's limit). */
  readonly settled: boolean;
  readonly run: E2eRun;
}

/** End-to-end capacity (issue 18 item 4): the highest offered rate held with p99 ≤ 1 s and nothing missing. */
export interface CapacityResult {
  readonly p99LimitMs: number;
  readonly probeSec: number;
  readonly plan: { readonly factor: number; readonly resolution: number; readonly maxProbes: number; readonly budgetSec: number };
  /** Every rate judged, in the order run: the fixed rates first, then the probes. */
  readonly probes: readonly CapacityProbeRun[];
  readonly best: CapacityProbeRun | null;
  /** ms of CPU per accepted webhook of each process group at `best` (and `total`); empty when nothing held. */
  readonly cpuMsPerWebhook: Readonly<Record<string, number>>;
  /** Why the search ended. */
  readonly stopped: string;
  readonly searchSec: number;
}

export interface MemoryRun {
  readonly service: string;
  readonly peakRssMb: number;
  readonly startRssMb: number;
  readonly endRssMb: number;
  /** Slope of the peaks of equal windows after warm-up (bench/lib/stats.ts peakEnvelope): what is judged. */
  readonly growthMbPerMin: number;
  /** Slope through every sample, for comparison: swings with the garbage-collection sawtooth. */
  readonly sampleSlopeMbPerMin?: number;
  /** [minutes into the soak, RSS MB]. */
  readonly series?: ReadonlyArray<readonly [number, number]>;
  /**
   * Slope through V8's heap in use (nodejs_heap_size_used_bytes) read right after each major collection after warm-up
   * (bench/lib/stats.ts keptGrowth): the growth of what the service keeps. NaN from fewer than 3 such readings.
   */
  readonly heapKeptGrowthMbPerMin?: number;
  /** The same for the memory outside V8's heap (nodejs_external_memory_bytes: Buffers). */
  readonly externalKeptGrowthMbPerMin?: number;
  /** How many readings after warm-up followed a major collection: what the two figures above stand on. */
  readonly heapReadingsAfterMajor?: number;
  readonly heapScrapes?: number;
  /** Scrapes of /metrics that gave nothing (timed out after 3 s, or refused): missing readings, at the busiest moments. */
  readonly heapScrapesFailed?: number;
  /** [minutes into the soak, heap in use MB, external MB, major collections so far], from the service's /metrics. */
  readonly heapSeries?: ReadonlyArray<readonly [number, number, number, number]>;
  readonly soakSec: number;
  readonly soakOkPerSec: number;
}

export interface BenchResults {
  /** 1-minute load average when the run began and ended: above the core count, something else was competing. */
  readonly loadAverage?: { readonly start: number; readonly end: number };
  readonly runId: string;
  readonly startedAt: string;
  readonly totalSec: number;
  readonly settings: Record<string, unknown> & { mode: string; ingestRuns: number; ingestSec: number; connections: number; drainRuns: number; drainRecords: number; e2eSec: number; soakSec: number };
  readonly machine: MachineInfo;
  /** Kafka's own perf tools on the same broker (bench/ceilings.ts); absent in results from older runs. */
  readonly ceilings?: CeilingRun[];
  readonly ingest: IngestRun[];
  readonly drains: DrainRun[];
  readonly e2e: E2eRun[];
  /** Absent in results from older runs and from runs without the e2e part. */
  readonly capacity?: CapacityResult;
  readonly memory: MemoryRun[];
  readonly gatewayMetrics: string;
}

const n0 = (v: number) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '—');
const n1 = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '—');
const n2 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '—');
const verdict = (ok: boolean) => (ok ? '**PASS**' : '**FAIL**');

/** The medians a figure is set beside its ceiling with (issue 18); NaN where a part did not run. */
export function ceilingFigures(r: BenchResults, median: (v: readonly number[]) => number) {
  const ing = (t: IngestRun['target']) => median(r.ingest.filter((x) => x.target === t).map((x) => x.result.okPerSec));
  const drain = (s: DrainRun['stage']) => median(r.drains.filter((d) => d.stage === s).map((d) => d.steadyPerSec));
  const tool = (k: CeilingRun['kind']) => median((r.ceilings ?? []).filter((c) => c.kind === k).map((c) => c.recordsPerSec));
  const bytes = (k: CeilingRun['kind']) => (r.ceilings ?? []).find((c) => c.kind === k)?.recordBytes ?? NaN;
  const best = r.capacity?.best ?? null;
  const producerIngest = tool('producer-ingest');
  const producerDrain = tool('producer-drain');
  const consumerDrain = tool('consumer-drain');
  return {
    bare: ing('bare'),
    naive: ing('naive'),
    durable: ing('durable'),
    gateway: ing('gateway'),
    copyNormalizer: drain('copy-normalizer'),
    copyTracker: drain('copy-tracker'),
    normalizer: drain('normalizer'),
    tracker: drain('tracker'),
    /** The highest offered rate the capacity search saw held (NaN: no search, or nothing held). */
    capacity: best ? best.run.rate : NaN,
    capacityAccepted: best ? best.run.gateway.okPerSec : NaN,
    capacityP99: best ? best.run.event.p99 : NaN,
    producerIngest,
    producerDrain,
    consumerDrain,
    ingestBytes: bytes('producer-ingest'),
    drainBytes: bytes('producer-drain'),
    /** A copy consumes and produces each record: the lower of Kafka's own two rates bounds it. */
    copyCeiling: Math.min(producerDrain, consumerDrain),
  };
}

const pct = (a: number, b: number) => (Number.isFinite(a / b) ? `${((a / b) * 100).toFixed(1)} %` : '—');

/**
 * The ratio of two ingest servers within each run (they take turns, seconds apart): on a shared machine the load
 * swings between runs far more than between the turns of one run, so these say more than a ratio of medians.
 */
export function perRunRatios(r: BenchResults, a: IngestRun['target'], b: IngestRun['target']): number[] {
  const runs = [...new Set(r.ingest.map((x) => x.run))].sort((x, y) => x - y);
  const rate = (t: IngestRun['target'], run: number) => r.ingest.find((x) => x.target === t && x.run === run)?.result.okPerSec ?? NaN;
  return runs.map((run) => rate(a, run) / rate(b, run)).filter((v) => Number.isFinite(v));
}

/** The ratios issue 18 sets goals on, one line each: printed by every run (partial runs too), same run's medians. */
export function ceilingLines(r: BenchResults, median: (v: readonly number[]) => number): string[] {
  const f = ceilingFigures(r, median);
  const lines: string[] = [];
  if (Number.isFinite(f.gateway)) {
    const each = (a: IngestRun['target'], b: IngestRun['target']) => perRunRatios(r, a, b).map((v) => `${(v * 100).toFixed(1)} %`).join(', ');
    lines.push(`ratio gateway / durable baseline: ${pct(f.gateway, f.durable)} (goal ≥ 80 %); gateway / bare http: ${pct(f.gateway, f.bare)} (goal ≥ 30 %); gateway / naive NestJS: ${Number.isFinite(f.gateway / f.naive) ? (f.gateway / f.naive).toFixed(2) : '—'}× (goal ≥ 3×)`);
    lines.push(`ratio within each run: gateway / durable ${each('gateway', 'durable') || '—'}; gateway / bare ${each('gateway', 'bare') || '—'}; durable / bare ${each('durable', 'bare') || '—'}`);
    lines.push(`ratio durable baseline / bare http: ${pct(f.durable, f.bare)}; durable baseline / Kafka ProducerPerformance (${f.ingestBytes} B records): ${pct(f.durable, f.producerIngest)}; gateway / ProducerPerformance: ${pct(f.gateway, f.producerIngest)}`);
  }
  if (Number.isFinite(f.copyNormalizer) || Number.isFinite(f.copyTracker)) {
    for (const [name, rate] of [['copy-normalizer', f.copyNormalizer], ['copy-tracker', f.copyTracker]] as const) {
      lines.push(`ratio ${name} / Kafka ConsumerPerformance: ${pct(rate, f.consumerDrain)}; / ProducerPerformance (${f.drainBytes} B records): ${pct(rate, f.producerDrain)} (goal ≥ 50 % of the lower)`);
    }
  }
  if (Number.isFinite(f.normalizer) || Number.isFinite(f.tracker)) {
    lines.push(`ratio normalizer / copy-normalizer: ${pct(f.normalizer, f.copyNormalizer)} (goal ≥ 75 %); tracker / copy-tracker (transactional): ${pct(f.tracker, f.copyTracker)} (goal ≥ 60 %)`);
  }
  if (lines.length === 0 && Number.isFinite(f.producerIngest)) {
    lines.push(`Kafka's own: ProducerPerformance ${Math.round(f.producerIngest)}/s (${f.ingestBytes} B), ${Math.round(f.producerDrain)}/s (${f.drainBytes} B); ConsumerPerformance ${Math.round(f.consumerDrain)}/s (${f.drainBytes} B)`);
  }
  if (r.capacity) {
    const held = r.capacity.best ? `${f.capacity}/s offered (${Math.round(f.capacityAccepted)} accepted/s, event row p99 ${Math.round(f.capacityP99)} ms)` : 'no rate held';
    lines.push(`e2e capacity (p99 ≤ ${r.capacity.p99LimitMs} ms, nothing missing): ${held}; / bare http: ${pct(f.capacity, f.bare)} (goal ≥ 12 %)`);
  }
  return lines;
}

/** Memory is judged flat when it grows by less than this per minute after warm-up (300 MB would take > 1 day). */
export const FLAT_MB_PER_MIN = 1;
/** Peak RSS bound per service (issue 10). */
export const PEAK_RSS_MB = 300;

/** One row of the targets table: a figure, the ceiling (or bound) it is judged against, their ratio and the verdict. */
export interface GoalRow {
  readonly goal: string;
  readonly measured: string;
  readonly ceiling: string;
  readonly ratio: string;
  /** null: not judged (a quick run's soak is too short to say whether memory is flat). */
  readonly pass: boolean | null;
}

const times = (a: number, b: number) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : '—');

/**
 * Issue 18's goals, each a ratio against a ceiling measured in the same run (medians over its runs), then the memory
 * bounds of issue 10. A figure that is missing (NaN) fails its goal: what was not measured was not met.
 */
export function goalRows(r: BenchResults, median: (v: readonly number[]) => number): GoalRow[] {
  const f = ceilingFigures(r, median);
  const rows: GoalRow[] = [];
  const perSec = (v: number) => `${n0(v)} /s`;
  const ratioGoal = (goal: string, measured: number, ceilingLabel: string, ceiling: number, share: number, measuredText = perSec(measured)) =>
    rows.push({ goal, measured: measuredText, ceiling: `${ceilingLabel} ${perSec(ceiling)}`, ratio: pct(measured, ceiling), pass: measured / ceiling >= share });
  ratioGoal('gateway ≥ 80 % of the durable baseline', f.gateway, 'durable baseline', f.durable, 0.8);
  rows.push({ goal: 'gateway ≥ 3× naive NestJS', measured: perSec(f.gateway), ceiling: `naive NestJS ${perSec(f.naive)}`, ratio: times(f.gateway, f.naive), pass: f.gateway / f.naive >= 3 });
  ratioGoal('gateway ≥ 30 % of bare Node http', f.gateway, 'bare Node http', f.bare, 0.3);
  const lower = f.consumerDrain <= f.producerDrain ? 'ConsumerPerformance' : 'ProducerPerformance';
  for (const [name, rate] of [['copy-normalizer', f.copyNormalizer], ['copy-tracker', f.copyTracker]] as const) {
    ratioGoal(`${name} ≥ 50 % of Kafka's own rate for the same records (the lower of ConsumerPerformance and ProducerPerformance)`, rate, `Kafka ${Number.isFinite(f.copyCeiling) ? lower : ''}, ${f.drainBytes} B records,`, f.copyCeiling, 0.5);
  }
  ratioGoal('normalizer ≥ 75 % of its copy baseline', f.normalizer, 'copy-normalizer', f.copyNormalizer, 0.75);
  ratioGoal('tracker ≥ 60 % of its transactional copy baseline', f.tracker, 'copy-tracker', f.copyTracker, 0.6);
  const cap = r.capacity;
  const capText = cap?.best ? `${perSec(f.capacity)} offered (${n0(f.capacityAccepted)} accepted/s, event row p99 ${n0(f.capacityP99)} ms, over ${cap.probeSec} s)` : cap ? `no rate held (lowest tried ${n0(Math.min(...cap.probes.map((p) => p.run.rate)))} /s)` : '—';
  ratioGoal(`end-to-end capacity (every accepted webhook visible in Postgres, p99 ≤ ${cap?.p99LimitMs ?? 1000} ms) ≥ 12 % of bare Node http`, f.capacity, 'bare Node http', f.bare, 0.12, capText);
  const judged = r.settings.mode !== 'quick';
  for (const mem of r.memory) {
    rows.push({ goal: `${mem.service}: peak RSS ≤ ${PEAK_RSS_MB} MB under 2,000/s`, measured: `${n0(mem.peakRssMb)} MB`, ceiling: `bound ${PEAK_RSS_MB} MB`, ratio: pct(mem.peakRssMb, PEAK_RSS_MB), pass: mem.peakRssMb <= PEAK_RSS_MB });
  }
  for (const mem of r.memory) {
    rows.push({
      goal: `${mem.service}: RSS flat over the ${n0(mem.soakSec)} s soak (issue asks 10 min)`,
      measured: `${n2(mem.growthMbPerMin)} MB/min`,
      ceiling: `bound < ${FLAT_MB_PER_MIN} MB/min`,
      ratio: '',
      pass: judged ? Number.isFinite(mem.growthMbPerMin) && mem.growthMbPerMin < FLAT_MB_PER_MIN : null,
    });
  }
  return rows;
}

export function writeReport(path: string, r: BenchResults, median: (v: readonly number[]) => number): void {
  const m = r.machine;
  const lines: string[] = [];
  const push = (...l: string[]) => lines.push(...l);
  const ing = (t: IngestRun['target']) => r.ingest.filter((x) => x.target === t);
  const med = (t: IngestRun['target'], f: (x: IngestRun) => number) => median(ing(t).map(f));
  const rate = { bare: med('bare', (x) => x.result.okPerSec), naive: med('naive', (x) => x.result.okPerSec), durable: med('durable', (x) => x.result.okPerSec), gateway: med('gateway', (x) => x.result.okPerSec) };
  const drain = (s: DrainRun['stage']) => r.drains.filter((d) => d.stage === s);
  const drainMed = (s: DrainRun['stage']) => median(drain(s).map((d) => d.steadyPerSec));
  const busy = (v: number) => (Number.isFinite(v) ? `${Math.round(v * 100)} %` : '—');
  const drainCpuMed = (s: DrainRun['stage'], figure: 'cpuUsPerRecord' | 'mainThreadBusy') => median(drain(s).map((d) => d[figure] ?? NaN).filter(Number.isFinite));
  const maxPeak = (svc: string) => r.memory.find((x) => x.service === svc)?.peakRssMb ?? NaN;

  push('# Benchmarks', '');
  push(`Written by \`npm run bench${r.settings.mode === 'quick' ? ' -- --quick' : ''}\` (bench/run.ts) on ${r.startedAt.slice(0, 10)}, run id \`${r.runId}\`, ${n0(r.totalSec)} s in all. ` +
    `Every figure below comes from that one run; rerun the command to refresh this file.${r.settings.mode === 'quick' ? ' **This is a quick smoke run: short runs, one of each; the figures are indicative only.**' : ''}`, '');
  push('## Machine', '');
  push('| | |', '| --- | --- |');
  push(`| CPU | ${m.cpuModel}, **${m.cores} cores** |`, `| Memory | ${m.memoryGb} GB |`, `| OS | ${m.os} |`, `| Node.js | ${m.node} |`, `| Java | ${m.java} |`, `| Kafka | ${m.kafka} (single KRaft broker on this machine) |`, `| PostgreSQL | ${m.postgres} |`, '');
  push(`Everything shares these ${m.cores} cores: the broker, Postgres, the service(s) under test, the load generator ` +
    '(autocannon or the paced generator, always its own process) and the harness. No figure here is a per-service figure on an idle machine.' +
    (r.loadAverage ? ` 1-minute load average: ${n2(r.loadAverage.start)} at the start, ${n2(r.loadAverage.end)} at the end${Math.max(r.loadAverage.start, r.loadAverage.end) > m.cores ? ' — above the core count: the last runs offer more than the machine can serve (or other work competed)' : ''}.` : ''), '');

  push('## Targets', '');
  push('Issue 18\'s goals, each a ratio against a ceiling measured in this same run (medians over its runs), and the memory bounds of issue 10.', '');
  push('| goal | measured | ceiling (same run) | ratio | verdict |', '| --- | --- | --- | --- | --- |');
  for (const g of goalRows(r, median)) push(`| ${g.goal} | ${g.measured} | ${g.ceiling} | ${g.ratio} | ${g.pass === null ? 'not judged (quick)' : verdict(g.pass)} |`);
  push('', 'What bounds each ratio on this machine, and what each lever of issue 18 measured (the ones not kept too): [docs/performance.md](docs/performance.md).');
  push('', 'The absolute targets of issues 3–7 (10,000 webhooks/s at the gateway, 20,000 records/s through the normalizer and so on) are no longer judged: on a machine shared by the broker, ' +
    'Postgres, every stage and the load generator they said more about the machine than about hookbus. Their figures are still in the sections below (the gateway alone at a steady 2,000/s in every ingest run, the end-to-end latency at each fixed rate).');
  if (r.settings.mode === 'quick') push('', `The soak of a quick run lasts ${r.settings.soakSec} s: its growth figure mostly measures warm-up. Only a full run judges flatness.`);
  push('');

  push('## Settings', '');
  push(`- Ingest: ${r.settings.ingestRuns} run(s) per server, ${r.settings.ingestSec} s each after a warm-up, autocannon with ${r.settings.connections} connections, no pipelining, ` +
    'as fast as the server answers; the four servers (three baselines and the gateway) take turns within each run. Body: an Octapush SMS callback (~80 bytes of JSON, a different phone number per request), ' +
    '`POST /webhooks/octapush-sms?key=…` (token auth, rate limit raised above the offered load). Only 2xx answers count as webhooks/s. ' +
    `Right after its own run, the gateway (still warm, alone with the broker) also takes a steady 2,000 requests/s for ${r.settings.ingestSec} s from the paced generator below: issue 3's p99 target.`);
  push('- Fixed rates use a paced open-loop generator (`bench/load/paced-worker.ts`, undici): requests are released every millisecond, never waiting for earlier answers, ' +
    'and latency counts from the moment a request was due, so a server that falls behind shows its queueing (no coordinated omission). Not autocannon: its rate option sends each connection\'s ' +
    'per-second quota back to back at the top of every second. Past 8 outstanding requests per connection a due request is not sent and counts as an error. On a 2-core machine the generator ' +
    'competes for the same cores, and its own scheduling delay is part of what it measures.');
  push('- Baselines: (a) `bench/baselines/bare-http.ts`, Node `http`, reads the body and answers 200, stores nothing; ' +
    `(b) \`bench/baselines/naive-nest.ts\`, NestJS 11 on the default Express adapter, one \`ClientKafka.emit\` awaited per request (kafkajs default acks = all) to its own topic \`${NAIVE_TOPIC_NAME}\`.`);
  push('- Baseline (c), the durable floor (issue 18): `bench/baselines/durable-http.ts`, Node `http` that writes each body to its own topic `' + DURABLE_TOPIC_NAME + '` with the gateway\'s producer — ' +
    'the same kafkajs client, idempotent, acks = all, one request in flight, concurrent requests coalesced into one batch with the gateway\'s linger and bounds (libs/kafka CoalescingProducer, the gateway\'s DEFAULT_STORE_OPTIONS) — ' +
    'and answers 200 once the broker acknowledged it; no auth, key, headers, receipt or metrics. What any durable gateway on this client pays here.');
  const ceilingRuns = (r.ceilings ?? []).filter((c) => c.kind === 'producer-ingest').length;
  push(`- Kafka's own ceilings (issue 18): ${ceilingRuns} run(s), before the other parts, on the same broker: Apache Kafka's \`ProducerPerformance\` and \`ConsumerPerformance\` (org.apache.kafka:kafka-tools, the broker's version; bench/ceilings.ts), ` +
    `${n0((r.ceilings ?? [])[0]?.records ?? NaN)} records per tool and run, each into a fresh 6-partition topic deleted afterwards. ProducerPerformance offers records as fast as it can with the gateway's producer settings ` +
    '(acks=all, enable.idempotence=true, max.in.flight.requests.per.connection=1, linger.ms and a per-partition batch.size from the gateway\'s linger and 1,000-record batch, no compression, records spread over the partitions by the producer\'s own partitioner, every partition checked to hold records; bench/lib/kafka-perf.ts): ' +
    'once with the size of the gateway\'s Octapush record (key, body and header bytes), once with the mean size of the drains\' raw records. ConsumerPerformance then reads the second topic\'s records back in a fresh group, fetching as the stages and their copy baselines do (fetch.min.bytes 128 KiB, fetch.max.wait.ms 100, 1 MiB per partition, 4 MiB per fetch); its rate is taken after the group joined (fetch.nMsg.sec), as the copy baselines\' rate is taken after their first commit. ' +
    'Kafka\'s tools send one payload of that size with no key or headers: the same bytes per record, not the same records. Java is a different client: the gap to these rates is what kafkajs and Node cost, not only what hookbus costs.');
  push(`- Drains: ${r.settings.drainRuns} run(s); each writes ${n0(r.settings.drainRecords)} raw records across the providers (the provider fixtures with fresh ids: Credas process sequences, Authvia processes and actions, Octapush SMS, Cellosign sessions), ` +
    'then starts the normalizer, then the tracker (on what the normalizer wrote), then the projector (on everything: raw, events, state, dead letters), each as its own process in a fresh consumer group placed at the offsets from before the fill. ' +
    'The rate counts offsets committed between the first commit and the moment the group caught up (within three offsets of the end on every partition — transaction markers are never committed past — then unchanged for 1.5 s): it excludes process start, group join and the tracker\'s state restore, which are given separately. ' +
    'Offsets include the commit markers of transactional topics (tracker outputs), so the projector\'s figure counts slightly more than records.');
  push(`- End to end: gateway, normalizer, tracker and projector each their own process (fresh consumer groups at the end of the topics); after an unmeasured warm-up at 300/s, the paced generator at each fixed rate for ${r.settings.e2eSec} s; ` +
    'about 50 receipt ids per second are followed from the moment their 200 arrived until the Postgres row is visible (`hookbus.events` by receipt id: the webhook went gateway → raw topic → normalizer → events topic → projector; also the archived `hookbus.receipts` row: gateway → raw topic → projector), polled every 50 ms. ' +
    'The orchestrator is not running (it calls the Credas API). ' +
    `Before each measured run the harness waits (at most ${String(r.settings.settleLimitSec ?? '—')} s) until the stages' consumer groups have read what the run before left: a run that starts on a backlog measures the backlog.`);
  push(`- Memory: RSS (VmRSS) and peak RSS (VmHWM, /proc) of each service process; the soak is ${r.settings.soakSec} s at 2,000 webhooks/s right after the 2,000/s latency run; growth is the least-squares slope through the highest RSS of each of 8 equal windows after the first fifth of the soak ` +
    '(RSS under load is a garbage-collection sawtooth: a slope through every sample, also given, swings with where the soak starts and ends in a tooth). ' +
    'Beside it, from each service\'s /metrics every 5 s, V8\'s heap in use and its external memory, and the count of major (mark-compact) collections; their growth is the slope through the readings taken right after a major collection (the lowest reading of a window without one is only a point of the sawtooth). The series are in the run\'s JSON.');
  push('- Medians are over runs; percentiles within a run come from the load generator (gateway) or from the followed receipts (end to end).', '');

  push('## Gateway ingest against its baselines', '');
  push('| server | 2xx/s (median) | p50 ms | p99 ms | non-2xx | errors | peak RSS MB | server CPU µs per 2xx (median) | gateway ÷ this |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const t of ['bare', 'naive', 'durable', 'gateway'] as const) {
    if (ing(t).length === 0) continue;
    push(`| ${{ bare: '(a) bare Node http', naive: '(b) naive NestJS + ClientKafka', durable: '(c) durable baseline: bare http + the gateway\'s producer', gateway: 'hookbus gateway' }[t]} | ${n0(rate[t])} | ${n1(med(t, (x) => x.result.latencyMs.p50))} | ${n1(med(t, (x) => x.result.latencyMs.p99))} | ${n0(med(t, (x) => x.result.non2xx))} | ${n0(med(t, (x) => x.result.errors))} | ${n0(med(t, (x) => x.peakRssMb))} | ${n0(med(t, (x) => x.cpuUsPer2xx ?? NaN))} | ${t === 'gateway' ? '1' : `${n2(rate.gateway / rate[t])}×`} |`);
  }
  const pi = (r.ceilings ?? []).filter((c) => c.kind === 'producer-ingest');
  if (pi.length) {
    push(`| (ceiling) Kafka ProducerPerformance, ${pi[0]!.recordBytes} B records, the gateway's producer settings | ${n0(median(pi.map((c) => c.recordsPerSec)))} records/s | | p99 ${n0(median(pi.map((c) => c.p99Ms)))} | | | | | ${n2(rate.gateway / median(pi.map((c) => c.recordsPerSec)))}× |`);
  }
  const within = (a: IngestRun['target'], b: IngestRun['target']) => perRunRatios(r, a, b).map((v) => `${n1(v * 100)} %`).join(', ') || '—';
  push('', `Ratios within each run (the servers take turns seconds apart, so these move less with the machine's load than ratios of medians): gateway ÷ durable baseline ${within('gateway', 'durable')}; gateway ÷ bare http ${within('gateway', 'bare')}; durable baseline ÷ bare http ${within('durable', 'bare')}.`);
  const cpu = (t: IngestRun['target']) => med(t, (x) => x.cpuUsPer2xx ?? NaN);
  if (Number.isFinite(cpu('gateway')) && Number.isFinite(cpu('durable'))) {
    push('', `CPU per answer, the server process alone (/proc, user + system, over the measured 10 s): the gateway spends ${n0(cpu('gateway'))} µs per 2xx, ${n1(cpu('gateway') / cpu('durable'))}× the durable baseline's ${n0(cpu('durable'))} µs and ${n1(cpu('gateway') / cpu('bare'))}× bare http's ${n0(cpu('bare'))} µs. ` +
      'A server whose JavaScript runs on one thread cannot answer much faster than one second ÷ its CPU per answer on any machine; this ratio of costs moves far less with the machine\'s load than the rates do, and is the figure an A/B of a change to the gateway should compare.');
  }
  push('', `Gateway produce batching in these runs (from its hookbus_gateway_* metrics): ${n1(med('gateway', (x) => x.avgBatchRecords))} records per produce request on average, ${n1(med('gateway', (x) => x.avgProduceMs))} ms per produce round trip (acks all).`, '');
  push('<details><summary>every ingest run</summary>', '', '| run | server | 2xx/s | p50 | p99 | max | non-2xx | errors | CPU µs per 2xx |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const x of r.ingest) push(`| ${x.run} | ${x.target} | ${n0(x.result.okPerSec)} | ${x.result.latencyMs.p50} | ${x.result.latencyMs.p99} | ${x.result.latencyMs.max} | ${x.result.non2xx} | ${x.result.errors} | ${n0(x.cpuUsPer2xx ?? NaN)} |`);
  push('', '</details>', '');

  push('## Drain rates from pre-filled topics', '');
  push('| stage | offsets per run | rate (median) | rate incl. start-up (median) | start-up until first commit | CPU µs per offset | main thread busy | peak RSS MB | ÷ copy baseline | goal (issue 18) |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  const targets = { normalizer: 0.75, tracker: 0.6 };
  const copyOf = { normalizer: 'copy-normalizer', tracker: 'copy-tracker', projector: null } as const;
  for (const s of ['normalizer', 'copy-normalizer', 'tracker', 'copy-tracker', 'projector'] as const) {
    const d = drain(s);
    if (d.length === 0) continue;
    const target = s in targets ? targets[s as keyof typeof targets] : null;
    const copy = s in copyOf ? copyOf[s as keyof typeof copyOf] : null;
    const share = copy && drain(copy).length ? drainMed(s) / drainMed(copy) : NaN;
    const ratio = copy && drain(copy).length ? `${n1(share * 100)} %` : '';
    push(`| ${s.startsWith('copy-') ? `(baseline) ${s}` : s} | ${n0(median(d.map((x) => x.records)))} | ${n0(drainMed(s))} /s | ${n0(median(d.map((x) => x.wallPerSec)))} /s | ${n1(median(d.map((x) => x.startupMs)) / 1000)} s | ${n0(drainCpuMed(s, 'cpuUsPerRecord'))} | ${busy(drainCpuMed(s, 'mainThreadBusy'))} | ${n0(median(d.map((x) => x.peakRssMb)))} | ${ratio} | ${target === null ? '' : `≥ ${target * 100} % of its copy baseline ${verdict(share >= target)}`} |`);
  }
  const tools = r.ceilings ?? [];
  for (const k of ['consumer-drain', 'producer-drain'] as const) {
    const c = tools.filter((x) => x.kind === k);
    if (c.length === 0) continue;
    const label = k === 'consumer-drain' ? 'Kafka ConsumerPerformance' : 'Kafka ProducerPerformance (gateway producer settings)';
    push(`| (ceiling) ${label}, ${c[0]!.recordBytes} B records | ${n0(median(c.map((x) => x.records)))} | ${n0(median(c.map((x) => x.recordsPerSec)))} /s | ${k === 'consumer-drain' ? `${n0(median(c.map((x) => x.wallRecordsPerSec)))} /s` : ''} | | | | | | |`);
  }
  if (tools.length) {
    const f = ceilingFigures(r, median);
    push('', `Copy baselines against Kafka's own tools on the same broker, same run: copy-normalizer ${pct(f.copyNormalizer, f.consumerDrain)} of ConsumerPerformance and ${pct(f.copyNormalizer, f.producerDrain)} of ProducerPerformance; ` +
      `copy-tracker ${pct(f.copyTracker, f.consumerDrain)} and ${pct(f.copyTracker, f.producerDrain)} (issue 18's goal: ≥ 50 % of the lower of the two).`);
  }
  const copyCpu = (s: DrainRun['stage']) => drainCpuMed(s, 'cpuUsPerRecord');
  if (Number.isFinite(copyCpu('normalizer')) && Number.isFinite(copyCpu('copy-normalizer'))) {
    push('', `CPU per offset over the same steady window (the stage's process alone, /proc user + system): the copy baseline's cost ÷ the stage's is ${pct(copyCpu('copy-normalizer'), copyCpu('normalizer'))} for the normalizer ` +
      `and ${pct(copyCpu('copy-tracker'), copyCpu('tracker'))} for the tracker — the ratio their rates would show were both bound by their own CPU alone. ` +
      'The tracker\'s offsets are the events it reads; the entity hints it writes to itself and reads back are part of its cost per event, while its copy, which reads the hints topic too, counts them as offsets of their own. ' +
      'CPU per offset counts all the process\'s threads (V8\'s garbage collector and libuv work for it); main thread busy is the CPU of the thread that runs its JavaScript over the window\'s wall time: near 100 %, the stage is bound by that thread, and overlapping its fetches with its produces could not raise its rate here; well below, it waits on round trips.');
  }
  push('', 'A copy baseline runs the same consumer runner (bench/service-child.ts) on the same inputs with the same settings — the tracker\'s in Kafka transactions — ' +
    'and only copies each record it reads to `' + COPY_TOPIC + '`: one record out per record in, with none of the stage\'s own work. It is what kafkajs and the broker cost on this machine, ' +
    'the ceiling any stage written on them can reach here; the stages write more than one record per record read (events per webhook; states, transitions and hints per event).');
  const failed = r.drains.filter((d) => d.failure);
  if (failed.length) push('', `FAILED (the stage's process exited; these figures are not rates): ${failed.map((d) => `${d.stage} run ${d.run}: ${d.failure!.split('\n')[0]}`).join('; ')}.`);
  const notCaught = r.drains.filter((d) => !d.caughtUp && !d.failure);
  if (notCaught.length) push('', `Did not catch up within the time limit: ${notCaught.map((d) => `${d.stage} run ${d.run} (${d.drained}/${d.records})`).join(', ')}.`);
  push('');

  push('## End-to-end latency (gateway 200 → row visible in Postgres)', '');
  push('![latency percentiles against rate](docs/bench/latency.png)', '');
  push('| offered rate /s | gateway 2xx/s | gateway p50 / p99 ms | non-2xx | event row p50 / p95 / p99 ms | max ms | receipt row p50 / p95 / p99 ms | followed | never visible |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const e of r.e2e) {
    push(`| ${n0(e.rate)} | ${n0(e.gateway.okPerSec)} | ${e.gateway.latencyMs.p50} / ${e.gateway.latencyMs.p99} | ${e.gateway.non2xx + e.gateway.errors} | ${n0(e.event.p50)} / ${n0(e.event.p95)} / ${n0(e.event.p99)} | ${n0(e.event.max)} | ${n0(e.receipt.p50)} / ${n0(e.receipt.p95)} / ${n0(e.receipt.p99)} | ${n0(e.samples)} | ${n0(e.missing)} |`);
  }
  push('', '"Never visible" = followed receipts whose event row had not appeared 60 s after the load stopped.');
  const polls = r.e2e.filter((e) => e.followPollMs);
  if (polls.length) {
    push('', `The follower's own error: a row is seen up to one poll late, and its polls took p99 ${polls.map((e) => `${n1(e.followPollMs!.p99)} ms at ${n0(e.rate)}/s`).join(', ')} (longest ${n1(Math.max(...polls.map((e) => e.followPollMs!.max)))} ms). ` +
      'Before each run the followed tables are analyzed (where autovacuum is off nothing else does, and an unanalyzed million-row table turned every poll into a parallel sequential scan that took a core from the stack and a second from every latency), and the follower runs without parallel workers or JIT.');
  }
  push('');

  const withCores = r.e2e.filter((e) => e.cores);
  if (withCores.length) {
    const groups = CPU_GROUPS;
    const total = (e: E2eRun) => Object.values(e.cores ?? {}).reduce((a, b) => a + b, 0);
    push('## Where the cores go at each fixed rate', '');
    push(`| offered /s | accepted /s | ${groups.join(' | ')} | total cores | CPU ms per accepted webhook |`, `| --- | --- | ${groups.map(() => '---').join(' | ')} | --- | --- |`);
    for (const e of withCores) push(`| ${n0(e.rate)} | ${n0(e.gateway.okPerSec)} | ${groups.map((g) => n2(e.cores?.[g] ?? 0)).join(' | ')} | ${n2(total(e))} | ${n2((total(e) / e.gateway.okPerSec) * 1000)} |`);
    // Batches fill up as the rate grows, so the cost per webhook falls with it: project from the cheapest run measured.
    const msOf = (e: E2eRun) => (total(e) / e.gateway.okPerSec) * 1000;
    const base = withCores.reduce((best, e) => (msOf(e) < msOf(best) ? e : best));
    const msPerWebhook = msOf(base);
    push('', `CPU time of every process on the machine while the load ran (/proc, bench/lib/cpu.ts), in cores; "kernel" is busy time charged to no process. ` +
      `At the lowest cost measured (${n2(msPerWebhook)} ms of CPU per accepted webhook, all processes together, at ${n0(base.rate)}/s offered), ` +
      `2,000 webhooks/s would need **${n1((msPerWebhook * 2000) / 1000)} cores**; this machine has ${m.cores}. A rate whose need exceeds the cores cannot be held here, ` +
      'whatever the latency target: requests queue at the gateway (the generator sheds past 8 per connection) or, once accepted, in Kafka, and latency grows with the queue.', '');
  }

  if (r.capacity) push(...capacitySection(r.capacity, ceilingFigures(r, median).bare, m.cores));

  push('## Memory under 2,000 webhooks/s and the soak', '');
  push('| service | peak RSS MB | RSS after warm-up MB | RSS at end MB | growth of the peaks MB/min | slope of all samples MB/min | heap in use after major collections, MB/min | external (Buffers), MB/min | readings after a major collection, after warm-up (failed scrapes of all) | verdict (≤ 300 MB, flat) |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  const flatJudged = r.settings.mode !== 'quick';
  for (const x of r.memory) push(`| ${x.service} | ${n0(x.peakRssMb)} | ${n0(x.startRssMb)} | ${n0(x.endRssMb)} | ${n2(x.growthMbPerMin)} | ${n2(x.sampleSlopeMbPerMin ?? NaN)} | ${n2(x.heapKeptGrowthMbPerMin ?? NaN)} | ${n2(x.externalKeptGrowthMbPerMin ?? NaN)} | ${x.heapReadingsAfterMajor ?? '—'} (${x.heapScrapesFailed ?? '—'} of ${x.heapScrapes ?? '—'}) | ${flatJudged ? verdict(x.peakRssMb <= 300 && x.growthMbPerMin < FLAT_MB_PER_MIN) : `${verdict(x.peakRssMb <= 300)} (flatness not judged: quick)`} |`);
  push('', 'The verdict is on RSS, as the goal is. The heap columns say why RSS moved: V8\'s heap in use and the memory outside it (Buffers), in the first reading (every 5 s) after each major collection, are what the service keeps; RSS that climbs while they stay flat is the allocator and V8 sizing themselves up. Fewer than 3 readings after a major collection give no figure.');
  if (r.memory[0]) push('', `The soak sustained ${n0(r.memory[0].soakOkPerSec)} 2xx/s.`);
  push('');
  push('## Gateway metrics at the end of the end-to-end runs', '', '```', r.gatewayMetrics || '(none)', '```', '');
  void maxPeak;
  writeFileSync(path, `${lines.join('\n')}\n`);
}

/** Process groups in the order the report lists them (bench/lib/cpu.ts), then any others a run saw. */
const CPU_GROUPS = ['gateway', 'normalizer', 'tracker', 'projector', 'kafka broker', 'postgres', 'load generator', 'harness', 'other', 'kernel (interrupts, network)'];

/** The end-to-end capacity section: the search's every run with its verdict, the rate found and its CPU per webhook. */
export function capacitySection(c: CapacityResult, bare: number, cores: number): string[] {
  const lines: string[] = ['## End-to-end capacity (issue 18)', ''];
  const b = c.best;
  lines.push(b
    ? `Highest offered rate held: **${n0(b.run.rate)} webhooks/s** (${n0(b.run.gateway.okPerSec)} accepted/s, event row p50 / p99 ${n0(b.run.event.p50)} / ${n0(b.run.event.p99)} ms, ${n0(b.run.samples)} followed, ${b.source === 'fixed' ? 'one of the fixed rates' : 'a probe of the search'}) — ` +
      `${pct(b.run.rate, bare)} of bare Node http's ${n0(bare)} /s in this run (goal ≥ 12 %).`
    : `No rate held (${c.probes.length} tried, down to ${n0(Math.min(...c.probes.map((p) => p.run.rate)))} /s).`, '');
  lines.push(`Held = over ${c.probeSec} s at that offered rate: every request accepted (no non-2xx, no generator errors or timeouts, at least 95 % of the offered rate accepted), ` +
    `every followed receipt's event row visible in Postgres (none missing after the wait) and the event row p99 ≤ ${c.p99LimitMs} ms. ` +
    `The search starts from the fixed rates above (same stack, same length, same criterion), steps up ×${c.plan.factor} from the highest rate held until one fails (down ÷${c.plan.factor} while none held), ` +
    `then bisects geometrically between the highest held and the lowest failed above it until they are within ${n0((c.plan.resolution - 1) * 100)} %; at most ${c.plan.maxProbes} probes, none started that could end past ${c.plan.budgetSec} s of search. ` +
    `It runs after the soak, so the memory figures stay those of 2,000/s; before each run the stack drains what the run before left. This search: ${c.probes.filter((p) => p.source === 'probe').length} probe(s) in ${n0(c.searchSec)} s; it stopped: ${c.stopped}.`, '');
  lines.push('| run | offered /s | accepted /s | gateway p99 ms | event row p50 / p99 ms | followed | never visible | drained first | verdict |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const p of c.probes) {
    const drained = Number.isFinite(p.settleMs) ? `${p.settled ? '' : 'NO, '}${n1(p.settleMs / 1000)} s` : '';
    lines.push(`| ${p.source} | ${n0(p.run.rate)} | ${n0(p.run.gateway.okPerSec)} | ${p.run.gateway.latencyMs.p99} | ${n0(p.run.event.p50)} / ${n0(p.run.event.p99)} | ${n0(p.run.samples)} | ${n0(p.run.missing)} | ${drained} | ${p.passed ? 'held' : `not held: ${p.why.join('; ')}`} |`);
  }
  lines.push('');
  if (b?.run.cores) {
    const groups = [...CPU_GROUPS, ...Object.keys(b.run.cores).filter((g) => !CPU_GROUPS.includes(g))];
    lines.push(`CPU per accepted webhook of every process at ${n0(b.run.rate)} /s (cores over the run × 1000 ÷ accepted per second; bench/lib/cpu.ts):`, '');
    lines.push('| process group | cores | ms CPU per webhook |', '| --- | --- | --- |');
    for (const g of groups) lines.push(`| ${g} | ${n2(b.run.cores[g] ?? 0)} | ${(c.cpuMsPerWebhook[g] ?? 0).toFixed(3)} |`);
    const total = Object.values(b.run.cores).reduce((x, y) => x + y, 0);
    lines.push(`| **all** | ${n2(total)} of ${cores} | ${(c.cpuMsPerWebhook.total ?? NaN).toFixed(3)} |`, '');
  }
  return lines;
}

/**
 * The tracker-scale section of BENCHMARKS.md (issue 17), judged against the issue's goals: peak RSS ≤ 300 MB, the
 * drain rate at the end within 20 % of the rate at the start, first commit within 30 s after a clean stop and 60 s
 * after SIGKILL (the goals are stated for 10 million entities: a smaller run says so).
 */
export function trackerScaleSection(run: TrackerScaleRun, machine: MachineInfo, loadAtEnd: number): string {
  const first = run.windows[0]!;
  const last = run.windows[run.windows.length - 1]!;
  const verdict = (ok: boolean) => (ok ? 'pass' : 'FAIL');
  const mb = (n: number) => `${n.toFixed(0)} MB`;
  return [
    `## Tracker scale (${run.entities.toLocaleString('en')} entities)`,
    '',
    `\`npm run bench -- --only tracker-scale --entities ${run.entities}\` on ${machine.cores} cores (${machine.cpuModel}), load average ${loadAtEnd.toFixed(1)} at the end.`,
    `${run.records.toLocaleString('en')} status events (${run.entities.toLocaleString('en')} distinct Octapush SMS, plus ${Math.round(run.lateShare * 100)} % late statuses of`,
    `entities from far back in the run, read from disk) pre-filled in ${run.prefillSec.toFixed(0)} s, then drained by one tracker with its disk store.`,
    '',
    '| figure | value | goal | |',
    '| --- | --- | --- | --- |',
    `| peak RSS during the drain | ${mb(run.peakRssMb)} | ≤ 300 MB | ${verdict(run.peakRssMb <= 300)} |`,
    `| drain rate, first tenth → last tenth | ${Math.round(first)}/s → ${Math.round(last)}/s (${((last / first - 1) * 100).toFixed(0)} %) | within 20 % | ${verdict(last >= first * 0.8)} |`,
    `| restart after a clean stop: first commit | ${(run.cleanRestart.firstCommitMs / 1000).toFixed(1)} s (caught up ${(run.cleanRestart.caughtUpMs / 1000).toFixed(1)} s) | ≤ 30 s | ${verdict(run.cleanRestart.firstCommitMs <= 30_000)} |`,
    `| restart after SIGKILL: first commit | ${(run.killRestart.firstCommitMs / 1000).toFixed(1)} s (caught up ${(run.killRestart.caughtUpMs / 1000).toFixed(1)} s) | ≤ 60 s | ${verdict(run.killRestart.firstCommitMs <= 60_000)} |`,
    `| a new node (empty store, whole changelog): first commit | ${(run.freshRestart.firstCommitMs / 1000).toFixed(1)} s (caught up ${(run.freshRestart.caughtUpMs / 1000).toFixed(1)} s) | (none; plan for it) | |`,
    `| peak RSS after the restarts (clean / SIGKILL / new node) | ${mb(run.cleanRestart.peakRssMb)} / ${mb(run.killRestart.peakRssMb)} / ${mb(run.freshRestart.peakRssMb)} | ≤ 300 MB | ${verdict(Math.max(run.cleanRestart.peakRssMb, run.killRestart.peakRssMb, run.freshRestart.peakRssMb) <= 300)} |`,
    `| store on disk | ${mb(run.storeMb)} (${((run.storeMb * 2 ** 20) / run.entities).toFixed(0)} B per entity) | | |`,
    '',
    `Drain rate per tenth of the run (records/s): ${run.windows.map((r) => Math.round(r)).join(', ')}; whole drain ${run.drainSec.toFixed(0)} s${run.caughtUp ? '' : ' (DID NOT CATCH UP)'}.`,
    '',
    ...(run.peakBreakdown ? [`At the drain's highest sampled RSS (bench/service-child.ts traceMemoryPeaks): ${peakMakeup(run.peakBreakdown)}.`, ''] : []),
  ].join('\n');
}

/** One line for what filled the peak: file-backed pages (code), V8's heap by space, array buffers, other native memory. */
export function peakMakeup(peak: Record<string, unknown>): string {
  const n = (key: string) => Number(peak[key]);
  const spaces = (peak.spaces ?? {}) as Record<string, number>;
  return (
    `RSS ${n('rssMb')} MB = file-backed ${n('fileMb')} MB + anonymous ${n('anonMb')} MB; of that V8's heap ${n('heapTotalMb')} MB ` +
    `(new space ${spaces.new ?? NaN}, old ${spaces.old ?? NaN}; ${n('heapUsedMb')} MB used), array buffers ${n('arrayBuffersMb')} MB, ` +
    `native (malloc: SQLite, V8 and libuv internals) ${n('nativeMb')} MB; ${n('threads')} threads`
  );
}
