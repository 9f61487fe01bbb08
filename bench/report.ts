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
  if (lines.length === 0 && Number.isFinite(f.producerIngest)) {
    lines.push(`Kafka's own: ProducerPerformance ${Math.round(f.producerIngest)}/s (${f.ingestBytes} B), ${Math.round(f.producerDrain)}/s (${f.drainBytes} B); ConsumerPerformance ${Math.round(f.consumerDrain)}/s (${f.drainBytes} B)`);
  }
  return lines;
}

/** Memory is judged flat when it grows by less than this per minute after warm-up (300 MB would take > 1 day). */
export const FLAT_MB_PER_MIN = 1;

export function writeReport(path: string, r: BenchResults, median: (v: readonly number[]) => number): void {
  const m = r.machine;
  const lines: string[] = [];
  const push = (...l: string[]) => lines.push(...l);
  const ing = (t: IngestRun['target']) => r.ingest.filter((x) => x.target === t);
  const med = (t: IngestRun['target'], f: (x: IngestRun) => number) => median(ing(t).map(f));
  const rate = { bare: med('bare', (x) => x.result.okPerSec), naive: med('naive', (x) => x.result.okPerSec), durable: med('durable', (x) => x.result.okPerSec), gateway: med('gateway', (x) => x.result.okPerSec) };
  const drain = (s: DrainRun['stage']) => r.drains.filter((d) => d.stage === s);
  const drainMed = (s: DrainRun['stage']) => median(drain(s).map((d) => d.steadyPerSec));
  const at2000 = r.e2e.find((e) => e.rate === 2000);
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
  push('| target (issue) | measured | verdict |', '| --- | --- | --- |');
  push(`| gateway ≥ 10,000 durable webhooks/s (3) | ${n0(rate.gateway)} /s | ${verdict(rate.gateway >= 10_000)} |`);
  push(`| gateway ≥ 50 % of bare Node http (3) | ${n1((rate.gateway / rate.bare) * 100)} % | ${verdict(rate.gateway / rate.bare >= 0.5)} |`);
  push(`| gateway ≥ 3× naive NestJS (3, 18) | ${n2(rate.gateway / rate.naive)}× | ${verdict(rate.gateway / rate.naive >= 3)} |`);
  const ceil = ceilingFigures(r, median);
  push(`| gateway ≥ 80 % of the durable baseline (18) | ${pct(ceil.gateway, ceil.durable)} | ${verdict(ceil.gateway / ceil.durable >= 0.8)} |`);
  push(`| gateway ≥ 30 % of bare Node http (18) | ${pct(ceil.gateway, ceil.bare)} | ${verdict(ceil.gateway / ceil.bare >= 0.3)} |`);
  for (const [name, copyRate] of [['copy-normalizer', ceil.copyNormalizer], ['copy-tracker', ceil.copyTracker]] as const) {
    push(`| ${name} ≥ 50 % of Kafka's own rate for the same records (lower of ConsumerPerformance and ProducerPerformance) (18) | ${pct(copyRate, ceil.copyCeiling)} | ${verdict(copyRate / ceil.copyCeiling >= 0.5)} |`);
  }
  const steady = ing('gateway-steady');
  const steadyP99 = median(steady.map((x) => x.result.latencyMs.p99));
  const steadyOk = median(steady.map((x) => x.result.okPerSec));
  const steadyBad = steady.reduce((sum, x) => sum + x.result.non2xx + x.result.errors + x.result.timeouts, 0);
  push(`| gateway p99 ≤ 50 ms at a steady 2,000 req/s, gateway alone (3) | ${steady.length ? `${n1(steadyP99)} ms (${n0(steadyOk)} 2xx/s)` : '—'} | ${verdict(steady.length > 0 && steadyP99 <= 50 && steadyBad === 0 && steadyOk >= 1900)} |`);
  push(`| normalizer ≥ 20,000 records/s (4) | ${n0(drainMed('normalizer'))} /s | ${verdict(drainMed('normalizer') >= 20_000)} |`);
  push(`| tracker ≥ 10,000 events/s, transactional (5) | ${n0(drainMed('tracker'))} /s | ${verdict(drainMed('tracker') >= 10_000)} |`);
  push(`| projector ≥ 15,000 events/s (7) | ${n0(drainMed('projector'))} /s | ${verdict(drainMed('projector') >= 15_000)} |`);
  // The latency only counts at the rate the target names: a stack that accepted half the offered load (the rest
  // refused or never sent) has not shown it holds the p99 at 2,000/s.
  const e2eHeld = !!at2000 && at2000.gateway.okPerSec >= 0.95 * at2000.rate;
  push(`| e2e p99 ≤ 1 s at 2,000 webhooks/s for ${at2000?.durationSec ?? '—'} s (7) | ${at2000 ? `${n0(at2000.event.p99)} ms at ${n0(at2000.gateway.okPerSec)} accepted/s${at2000.missing ? `, ${at2000.missing} never visible` : ''}` : '—'} | ${verdict(e2eHeld && at2000!.event.p99 <= 1000 && at2000!.missing === 0)} |`);
  for (const mem of r.memory) {
    push(`| ${mem.service}: peak RSS ≤ 300 MB under 2,000/s (10) | ${n0(mem.peakRssMb)} MB | ${verdict(mem.peakRssMb <= 300)} |`);
  }
  for (const mem of r.memory) {
    const judged = r.settings.mode !== 'quick';
    push(`| ${mem.service}: RSS flat over the ${n0(mem.soakSec)} s soak (< ${FLAT_MB_PER_MIN} MB/min; issue asks 10 min) (10) | ${n2(mem.growthMbPerMin)} MB/min | ${judged ? verdict(Number.isFinite(mem.growthMbPerMin) && mem.growthMbPerMin < FLAT_MB_PER_MIN) : 'not judged (quick)'} |`);
  }
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
    '(acks=all, enable.idempotence=true, max.in.flight.requests.per.connection=1, linger.ms and a per-partition batch.size from the gateway\'s linger and 1,000-record batch, no compression, round-robin partitions as keyed records spread; bench/lib/kafka-perf.ts): ' +
    'once with the size of the gateway\'s Octapush record (key, body and header bytes), once with the mean size of the drains\' raw records. ConsumerPerformance then reads the second topic\'s records back in a fresh group; its rate is taken after the group joined (fetch.nMsg.sec), as the copy baselines\' rate is taken after their first commit. ' +
    'Kafka\'s tools send one payload of that size with no key or headers: the same bytes per record, not the same records. Java is a different client: the gap to these rates is what kafkajs and Node cost, not only what hookbus costs.');
  push(`- Drains: ${r.settings.drainRuns} run(s); each writes ${n0(r.settings.drainRecords)} raw records across the providers (the provider fixtures with fresh ids: Credas process sequences, Authvia processes and actions, Octapush SMS, Cellosign sessions), ` +
    'then starts the normalizer, then the tracker (on what the normalizer wrote), then the projector (on everything: raw, events, state, dead letters), each as its own process in a fresh consumer group placed at the offsets from before the fill. ' +
    'The rate counts offsets committed between the first commit and the moment the group caught up (within three offsets of the end on every partition — transaction markers are never committed past — then unchanged for 1.5 s): it excludes process start, group join and the tracker\'s state restore, which are given separately. ' +
    'Offsets include the commit markers of transactional topics (tracker outputs), so the projector\'s figure counts slightly more than records.');
  push(`- End to end: gateway, normalizer, tracker and projector each their own process (fresh consumer groups at the end of the topics); after an unmeasured warm-up at 300/s, the paced generator at each fixed rate for ${r.settings.e2eSec} s; ` +
    'about 50 receipt ids per second are followed from the moment their 200 arrived until the Postgres row is visible (`hookbus.events` by receipt id: the webhook went gateway → raw topic → normalizer → events topic → projector; also the archived `hookbus.receipts` row: gateway → raw topic → projector), polled every 50 ms. ' +
    'The orchestrator is not running (it calls the Credas API).');
  push(`- Memory: RSS (VmRSS) and peak RSS (VmHWM, /proc) of each service process; the soak is ${r.settings.soakSec} s at 2,000 webhooks/s right after the 2,000/s latency run; growth is the least-squares slope through the highest RSS of each of 8 equal windows after the first fifth of the soak ` +
    '(RSS under load is a garbage-collection sawtooth: a slope through every sample, also given, swings with where the soak starts and ends in a tooth). The RSS series are in the run\'s JSON.');
  push('- Medians are over runs; percentiles within a run come from the load generator (gateway) or from the followed receipts (end to end).', '');

  push('## Gateway ingest against its baselines', '');
  push('| server | 2xx/s (median) | p50 ms | p99 ms | non-2xx | errors | peak RSS MB | gateway ÷ this |', '| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const t of ['bare', 'naive', 'durable', 'gateway'] as const) {
    if (ing(t).length === 0) continue;
    push(`| ${{ bare: '(a) bare Node http', naive: '(b) naive NestJS + ClientKafka', durable: '(c) durable baseline: bare http + the gateway\'s producer', gateway: 'hookbus gateway' }[t]} | ${n0(rate[t])} | ${n1(med(t, (x) => x.result.latencyMs.p50))} | ${n1(med(t, (x) => x.result.latencyMs.p99))} | ${n0(med(t, (x) => x.result.non2xx))} | ${n0(med(t, (x) => x.result.errors))} | ${n0(med(t, (x) => x.peakRssMb))} | ${t === 'gateway' ? '1' : `${n2(rate.gateway / rate[t])}×`} |`);
  }
  const pi = (r.ceilings ?? []).filter((c) => c.kind === 'producer-ingest');
  if (pi.length) {
    push(`| (ceiling) Kafka ProducerPerformance, ${pi[0]!.recordBytes} B records, the gateway's producer settings | ${n0(median(pi.map((c) => c.recordsPerSec)))} records/s | | p99 ${n0(median(pi.map((c) => c.p99Ms)))} | | | | ${n2(rate.gateway / median(pi.map((c) => c.recordsPerSec)))}× |`);
  }
  const within = (a: IngestRun['target'], b: IngestRun['target']) => perRunRatios(r, a, b).map((v) => `${n1(v * 100)} %`).join(', ') || '—';
  push('', `Ratios within each run (the servers take turns seconds apart, so these move less with the machine's load than ratios of medians): gateway ÷ durable baseline ${within('gateway', 'durable')}; gateway ÷ bare http ${within('gateway', 'bare')}; durable baseline ÷ bare http ${within('durable', 'bare')}.`);
  push('', `Gateway produce batching in these runs (from its hookbus_gateway_* metrics): ${n1(med('gateway', (x) => x.avgBatchRecords))} records per produce request on average, ${n1(med('gateway', (x) => x.avgProduceMs))} ms per produce round trip (acks all).`, '');
  push('<details><summary>every ingest run</summary>', '', '| run | server | 2xx/s | p50 | p99 | max | non-2xx | errors |', '| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const x of r.ingest) push(`| ${x.run} | ${x.target} | ${n0(x.result.okPerSec)} | ${x.result.latencyMs.p50} | ${x.result.latencyMs.p99} | ${x.result.latencyMs.max} | ${x.result.non2xx} | ${x.result.errors} |`);
  push('', '</details>', '');

  push('## Drain rates from pre-filled topics', '');
  push('| stage | offsets per run | rate (median) | rate incl. start-up (median) | start-up until first commit | peak RSS MB | ÷ copy baseline | target |', '| --- | --- | --- | --- | --- | --- | --- | --- |');
  const targets = { normalizer: 20_000, tracker: 10_000, projector: 15_000 };
  const copyOf = { normalizer: 'copy-normalizer', tracker: 'copy-tracker', projector: null } as const;
  for (const s of ['normalizer', 'copy-normalizer', 'tracker', 'copy-tracker', 'projector'] as const) {
    const d = drain(s);
    if (d.length === 0) continue;
    const target = s in targets ? targets[s as keyof typeof targets] : null;
    const copy = s in copyOf ? copyOf[s as keyof typeof copyOf] : null;
    const ratio = copy && drain(copy).length ? `${n1((drainMed(s) / drainMed(copy)) * 100)} %` : '';
    push(`| ${s.startsWith('copy-') ? `(baseline) ${s}` : s} | ${n0(median(d.map((x) => x.records)))} | ${n0(drainMed(s))} /s | ${n0(median(d.map((x) => x.wallPerSec)))} /s | ${n1(median(d.map((x) => x.startupMs)) / 1000)} s | ${n0(median(d.map((x) => x.peakRssMb)))} | ${ratio} | ${target === null ? '' : `≥ ${n0(target)} /s ${verdict(drainMed(s) >= target)}`} |`);
  }
  const tools = r.ceilings ?? [];
  for (const k of ['consumer-drain', 'producer-drain'] as const) {
    const c = tools.filter((x) => x.kind === k);
    if (c.length === 0) continue;
    const label = k === 'consumer-drain' ? 'Kafka ConsumerPerformance' : 'Kafka ProducerPerformance (gateway producer settings)';
    push(`| (ceiling) ${label}, ${c[0]!.recordBytes} B records | ${n0(median(c.map((x) => x.records)))} | ${n0(median(c.map((x) => x.recordsPerSec)))} /s | ${k === 'consumer-drain' ? `${n0(median(c.map((x) => x.wallRecordsPerSec)))} /s` : ''} | | | | |`);
  }
  if (tools.length) {
    const f = ceilingFigures(r, median);
    push('', `Copy baselines against Kafka's own tools on the same broker, same run: copy-normalizer ${pct(f.copyNormalizer, f.consumerDrain)} of ConsumerPerformance and ${pct(f.copyNormalizer, f.producerDrain)} of ProducerPerformance; ` +
      `copy-tracker ${pct(f.copyTracker, f.consumerDrain)} and ${pct(f.copyTracker, f.producerDrain)} (issue 18's goal: ≥ 50 % of the lower of the two).`);
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
  push('', '"Never visible" = followed receipts whose event row had not appeared 60 s after the load stopped.', '');

  const withCores = r.e2e.filter((e) => e.cores);
  if (withCores.length) {
    const groups = ['gateway', 'normalizer', 'tracker', 'projector', 'kafka broker', 'postgres', 'load generator', 'harness', 'other', 'kernel (interrupts, network)'];
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

  push('## Memory under 2,000 webhooks/s and the soak', '');
  push('| service | peak RSS MB | RSS after warm-up MB | RSS at end MB | growth of the peaks MB/min | slope of all samples MB/min | verdict (≤ 300 MB, flat) |', '| --- | --- | --- | --- | --- | --- | --- |');
  const flatJudged = r.settings.mode !== 'quick';
  for (const x of r.memory) push(`| ${x.service} | ${n0(x.peakRssMb)} | ${n0(x.startRssMb)} | ${n0(x.endRssMb)} | ${n2(x.growthMbPerMin)} | ${n2(x.sampleSlopeMbPerMin ?? NaN)} | ${flatJudged ? verdict(x.peakRssMb <= 300 && x.growthMbPerMin < FLAT_MB_PER_MIN) : `${verdict(x.peakRssMb <= 300)} (flatness not judged: quick)`} |`);
  if (r.memory[0]) push('', `The soak sustained ${n0(r.memory[0].soakOkPerSec)} 2xx/s.`);
  push('');
  push('## Gateway metrics at the end of the end-to-end runs', '', '```', r.gatewayMetrics || '(none)', '```', '');
  void maxPeak;
  writeFileSync(path, `${lines.join('\n')}\n`);
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
