/**
 * End-to-end capacity (issue 18, item 4): the highest offered rate at which every accepted webhook is visible in
 * Postgres with p99 ≤ 1 s over a probe, found by a short search on the running e2e stack. What is pure lives here
 * (the verdict on one probe, the next rate to try, CPU per webhook) and is unit-tested
 * (test/bench/capacity-search.spec.ts); bench/run.ts runs the probes.
 */
import type { CapacityProbeRun, E2eRun } from './report';

/** Issue 18: every accepted webhook visible in Postgres with p99 ≤ 1 s. */
export const CAPACITY_P99_LIMIT_MS = 1000;
/**
 * Accepted at least this share of the offered rate. With no refusals and no generator errors every due request was
 * sent and answered 2xx, so this only trips when the generator itself fell behind its schedule (the 2-core machine):
 * then the rate was not offered, and cannot count as held.
 */
export const CAPACITY_ACCEPTED_SHARE = 0.95;

export interface CapacityPlan {
  /** First rate when nothing is known yet (no fixed rate ran). */
  readonly start: number;
  /** Step up (×) past the highest pass while nothing above it failed; step down (÷) while nothing passed. */
  readonly factor: number;
  /** Stop bisecting once the lowest failure is within this ratio of the highest pass (1.15 = 15 %). */
  readonly resolution: number;
  /** Probes the search may make (fixed rates it starts from do not count). */
  readonly maxProbes: number;
  /** Below this rate the search gives up stepping down. */
  readonly floor: number;
  /** The search starts no probe that could end after this many seconds of it (worstProbeSec ahead). */
  readonly budgetSec: number;
  /** A probe's load plus its bounded waits (rows to appear, then the stack to drain): what one may take at most. */
  readonly worstProbeSec: number;
}

export interface KnownRate {
  readonly rate: number;
  readonly passed: boolean;
}

export type NextStep = { readonly next: number } | { readonly stop: string };

/** Rates are offered in two significant digits (710, 1,400, 8,400): tidy figures, and bisection ends in few steps. */
export function tidyRate(rate: number): number {
  if (!(rate > 0)) return 0;
  const unit = 10 ** Math.max(0, Math.floor(Math.log10(rate)) - 1);
  return Math.round(rate / unit) * unit;
}

/**
 * The next offered rate, from every rate judged so far on this stack (fixed rates and probes alike): step up by
 * `factor` from the highest pass until a rate fails, step down from the lowest failure while nothing passed, then
 * bisect (geometric middle: rates span ratios) between the highest pass and the lowest failure above it. A failure
 * below a pass (the load of a shared machine swings) is not a bracket: the highest pass stands.
 */
export function nextCapacityRate(known: readonly KnownRate[], probesMade: number, elapsedSec: number, plan: CapacityPlan): NextStep {
  if (probesMade >= plan.maxProbes) return { stop: `probe budget spent (${plan.maxProbes})` };
  if (elapsedSec + plan.worstProbeSec > plan.budgetSec) return { stop: `time budget: ${Math.round(elapsedSec)} s spent, another probe may take ${plan.worstProbeSec} s of ${plan.budgetSec} s` };
  const passes = known.filter((k) => k.passed).map((k) => k.rate);
  const failures = known.filter((k) => !k.passed).map((k) => k.rate);
  if (passes.length === 0 && failures.length === 0) return { next: tidyRate(plan.start) };
  if (passes.length === 0) {
    const down = tidyRate(Math.min(...failures) / plan.factor);
    return down < plan.floor ? { stop: `failed down to ${Math.min(...failures)}/s; the next step would be below the floor of ${plan.floor}/s` } : { next: down };
  }
  const lo = Math.max(...passes);
  const above = failures.filter((f) => f > lo);
  if (above.length === 0) return { next: tidyRate(lo * plan.factor) };
  const hi = Math.min(...above);
  if (hi / lo <= plan.resolution) return { stop: `bracketed: ${lo}/s passed, ${hi}/s failed (within ${Math.round((plan.resolution - 1) * 100)} %)` };
  const middle = tidyRate(Math.sqrt(lo * hi));
  if (middle <= lo || middle >= hi) return { stop: `bracketed: ${lo}/s passed, ${hi}/s failed (no tidy rate between)` };
  return { next: middle };
}

/** Whether one run at a fixed offered rate held it: every reason it did not, empty when it did. */
export function capacityFailures(run: E2eRun, p99LimitMs = CAPACITY_P99_LIMIT_MS): string[] {
  const why: string[] = [];
  const refused = run.gateway.non2xx + run.gateway.errors + run.gateway.timeouts;
  if (refused > 0) why.push(`${refused} not accepted (non-2xx ${run.gateway.non2xx}, generator errors ${run.gateway.errors}, timeouts ${run.gateway.timeouts})`);
  if (run.gateway.okPerSec < CAPACITY_ACCEPTED_SHARE * run.rate) why.push(`accepted ${Math.round(run.gateway.okPerSec)}/s < ${CAPACITY_ACCEPTED_SHARE * 100} % of ${run.rate}/s offered`);
  if (run.samples === 0 && run.missing === 0) why.push('no receipt followed');
  if (run.missing > 0) why.push(`${run.missing} followed never visible`);
  if (!(run.event.p99 <= p99LimitMs)) why.push(`event row p99 ${Number.isFinite(run.event.p99) ? Math.round(run.event.p99) : '—'} ms > ${p99LimitMs} ms`);
  return why;
}

/** The highest rate that held, of every run judged. */
export function highestPass(probes: readonly CapacityProbeRun[]): CapacityProbeRun | null {
  return probes.filter((p) => p.passed).reduce<CapacityProbeRun | null>((best, p) => (best === null || p.run.rate > best.run.rate ? p : best), null);
}

/** ms of CPU per accepted webhook for each process group (cores × 1000 / accepted per second), and `total`. */
export function cpuMsPerWebhook(cores: Readonly<Record<string, number>>, acceptedPerSec: number): Record<string, number> {
  const per: Record<string, number> = {};
  let total = 0;
  for (const [group, used] of Object.entries(cores)) {
    per[group] = acceptedPerSec > 0 ? (used * 1000) / acceptedPerSec : NaN;
    total += used;
  }
  per.total = acceptedPerSec > 0 ? (total * 1000) / acceptedPerSec : NaN;
  return per;
}
