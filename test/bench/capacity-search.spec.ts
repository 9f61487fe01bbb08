/** The end-to-end capacity search's pure parts (bench/capacity.ts): next rate, verdict on a run, CPU per webhook. */
import { capacityFailures, cpuMsPerWebhook, highestPass, nextCapacityRate, tidyRate, type CapacityPlan, type KnownRate } from '../../bench/capacity';
import { backlog, type Offsets } from '../../bench/lib/offsets';
import type { CapacityProbeRun, E2eRun } from '../../bench/report';

const plan: CapacityPlan = { start: 500, factor: 2, resolution: 1.15, maxProbes: 4, floor: 50, budgetSec: 480, worstProbeSec: 210 };
const pass = (rate: number): KnownRate => ({ rate, passed: true });
const fail = (rate: number): KnownRate => ({ rate, passed: false });

describe('nextCapacityRate', () => {
  it.each<[string, KnownRate[], number, number, { next: number } | { stop: RegExp }]>([
    ['starts at the plan\'s start when nothing is known', [], 0, 0, { next: 500 }],
    ['steps up ×2 from the highest pass while nothing above it failed', [pass(500), pass(2000), pass(5000)], 0, 0, { next: 10_000 }],
    ['bisects geometrically between the highest pass and the lowest failure above it', [pass(500), fail(2000), fail(5000)], 0, 0, { next: 1000 }],
    ['rounds the middle to two significant digits', [pass(500), fail(2000), pass(1000)], 1, 60, { next: 1400 }],
    ['keeps bisecting the narrowed bracket', [pass(500), fail(2000), fail(1000)], 1, 60, { next: 710 }],
    ['steps down ÷2 from the lowest failure while nothing passed', [fail(500), fail(2000)], 0, 0, { next: 250 }],
    ['ignores a failure below the highest pass (a load swing), stepping up from the pass', [pass(500), fail(300)], 0, 0, { next: 1000 }],
    ['stops once the bracket is within the resolution', [pass(1000), fail(1100)], 1, 60, { stop: /bracketed: 1000\/s passed, 1100\/s failed \(within 15 %\)/ }],
    ['stops below the floor', [fail(80)], 1, 60, { stop: /below the floor of 50\/s/ }],
    ['stops after the probe budget', [pass(500), fail(2000)], 4, 0, { stop: /probe budget spent \(4\)/ }],
    ['starts no probe that could end past the time budget', [pass(500), fail(2000)], 1, 271, { stop: /time budget: 271 s spent/ }],
    ['starts one that fits exactly', [pass(500), fail(2000)], 1, 270, { next: 1000 }],
  ])('%s', (_name, known, made, elapsed, expected) => {
    const step = nextCapacityRate(known, made, elapsed, plan);
    if ('next' in expected) expect(step).toEqual(expected);
    else expect('stop' in step && step.stop).toMatch(expected.stop);
  });

  it('stops when no tidy rate lies between the bracket', () => {
    const step = nextCapacityRate([pass(1000), fail(1040)], 1, 60, { ...plan, resolution: 1.01 });
    expect('stop' in step && step.stop).toBe('bracketed: 1000/s passed, 1040/s failed (no tidy rate between)');
  });

  it('finds the rate a stack holds within the resolution, in at most the plan\'s probes', () => {
    // A stack that holds up to 1,234/s, started from the fixed rates 500 (held) and 2,000 (did not).
    const known: KnownRate[] = [pass(500), fail(2000)];
    const tried: number[] = [];
    for (;;) {
      const step = nextCapacityRate(known, tried.length, 0, { ...plan, maxProbes: 10 });
      if ('stop' in step) break;
      tried.push(step.next);
      known.push({ rate: step.next, passed: step.next <= 1234 });
    }
    expect(tried).toEqual([1000, 1400, 1200, 1300]);
    expect(Math.max(...known.filter((k) => k.passed).map((k) => k.rate))).toBe(1200);
  });
});

it.each([
  [707, 710],
  [1414, 1400],
  [8.4, 8],
  [99_499, 99_000],
  [0, 0],
])('tidyRate(%p) = %p', (rate, tidy) => expect(tidyRate(rate)).toBe(tidy));

const run = (over: { rate?: number; ok?: number; non2xx?: number; errors?: number; timeouts?: number; samples?: number; missing?: number; p99?: number }): E2eRun =>
  ({
    rate: over.rate ?? 1000,
    durationSec: 60,
    gateway: { okPerSec: over.ok ?? 1000, non2xx: over.non2xx ?? 0, errors: over.errors ?? 0, timeouts: over.timeouts ?? 0, latencyMs: { p50: 1, p90: 1, p99: 1, max: 1, mean: 1 } },
    samples: over.samples ?? 3000,
    missing: over.missing ?? 0,
    event: { p50: 100, p95: 200, p99: over.p99 ?? 900, max: 1000 },
    receipt: { p50: 100, p95: 200, p99: 300, max: 400 },
  }) as unknown as E2eRun;

describe('capacityFailures', () => {
  it.each<[string, E2eRun, string[]]>([
    ['holds: all accepted, all visible, p99 ≤ 1 s', run({}), []],
    ['holds at exactly 1,000 ms and 95 % accepted', run({ p99: 1000, ok: 950 }), []],
    ['p99 over 1 s', run({ p99: 1001 }), ['event row p99 1001 ms > 1000 ms']],
    ['a followed receipt never visible', run({ missing: 1 }), ['1 followed never visible']],
    ['refusals and generator errors', run({ non2xx: 2, errors: 3 }), ['5 not accepted (non-2xx 2, generator errors 3, timeouts 0)']],
    ['the generator fell behind its schedule', run({ ok: 949 }), ['accepted 949/s < 95 % of 1000/s offered']],
    ['nothing followed: no p99 to judge', run({ samples: 0, p99: NaN }), ['no receipt followed', 'event row p99 — ms > 1000 ms']],
  ])('%s', (_name, r, why) => expect(capacityFailures(r)).toEqual(why));
});

it('picks the highest rate that held, whatever the order', () => {
  const probe = (rate: number, passed: boolean): CapacityProbeRun => ({ source: 'probe', passed, why: [], settleMs: 0, settled: true, run: run({ rate }) });
  expect(highestPass([probe(500, true), probe(2000, false), probe(1400, true), probe(1000, true)])?.run.rate).toBe(1400);
  expect(highestPass([probe(500, false)])).toBeNull();
});

it('gives ms of CPU per accepted webhook for each group and in all', () => {
  expect(cpuMsPerWebhook({ gateway: 0.5, postgres: 0.25 }, 1000)).toEqual({ gateway: 0.5, postgres: 0.25, total: 0.75 });
  expect(cpuMsPerWebhook({ gateway: 0.5 }, 0).total).toBeNaN();
});

describe('backlog', () => {
  const offsets = (entries: Record<string, number[]>): Offsets => new Map(Object.entries(entries).map(([t, parts]) => [t, new Map(parts.map((o, p) => [p, o]))]));
  it.each<[string, Offsets, Offsets, number]>([
    ['caught up', offsets({ raw: [10, 20] }), offsets({ raw: [10, 20] }), 0],
    ['within the control-record slack on every partition', offsets({ raw: [10, 20] }), offsets({ raw: [7, 18] }), 0],
    ['behind: beyond the slack, per partition', offsets({ raw: [10, 20], events: [100] }), offsets({ raw: [0, 20], events: [50] }), 7 + 47],
    ['a partition never committed counts from 0', offsets({ raw: [10] }), offsets({ raw: [-1] }), 7],
    ['a topic never committed counts from 0', offsets({ raw: [10] }), offsets({}), 7],
  ])('%s', (_name, end, at, expected) => expect(backlog(end, at)).toBe(expected));
});
