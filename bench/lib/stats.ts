export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile; NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  return percentileOfSorted([...values].sort((a, b) => a - b), p);
}

/** Nearest-rank percentile of values already sorted ascending; NaN for none. */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** Least-squares slope of y over x. */
export function slope(points: ReadonlyArray<readonly [number, number]>): number {
  if (points.length < 2) return NaN;
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const num = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const den = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return den === 0 ? NaN : num / den;
}

/**
 * The highest point of each of `windows` equal time windows, at the window's middle. Resident size under load is a
 * sawtooth (it climbs until a collection, then drops); a slope through every sample depends on where in the tooth
 * the soak starts and ends (a service that ended lower than it began measured +2.8 MB/min), while the peaks only
 * climb if what survives collections does.
 */
export function peakEnvelope(points: ReadonlyArray<readonly [number, number]>, windows: number): Array<[number, number]> {
  return envelope(points, windows, (y, seen) => y > seen);
}

/**
 * The lowest point of each of `windows` equal time windows, at the window's middle. The heap in use is lowest right
 * after a collection, where it is what survived: troughs that climb are memory something keeps.
 */
export function troughEnvelope(points: ReadonlyArray<readonly [number, number]>, windows: number): Array<[number, number]> {
  return envelope(points, windows, (y, seen) => y < seen);
}

function envelope(points: ReadonlyArray<readonly [number, number]>, windows: number, replaces: (y: number, seen: number) => boolean): Array<[number, number]> {
  if (points.length === 0) return [];
  const from = points[0]![0];
  const span = points[points.length - 1]![0] - from;
  const kept = new Map<number, [number, number]>();
  for (const [x, y] of points) {
    const w = span === 0 ? 0 : Math.min(windows - 1, Math.floor(((x - from) / span) * windows));
    const mid = from + ((w + 0.5) * span) / windows;
    const seen = kept.get(w);
    if (!seen || replaces(y, seen[1])) kept.set(w, [mid, y]);
  }
  return [...kept.entries()].sort((a, b) => a[0] - b[0]).map(([, point]) => point);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `done` returns true or the deadline passes; returns whether it finished. Bounded by construction. */
export async function pollUntil(done: () => Promise<boolean>, timeoutMs: number, intervalMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await done()) return true;
    await sleep(intervalMs);
  }
  return false;
}
