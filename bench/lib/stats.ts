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
  if (points.length === 0) return [];
  const from = points[0]![0];
  const span = points[points.length - 1]![0] - from;
  const peaks = new Map<number, [number, number]>();
  for (const [x, y] of points) {
    const w = span === 0 ? 0 : Math.min(windows - 1, Math.floor(((x - from) / span) * windows));
    const mid = from + ((w + 0.5) * span) / windows;
    const seen = peaks.get(w);
    if (!seen || y > seen[1]) peaks.set(w, [mid, y]);
  }
  return [...peaks.entries()].sort((a, b) => a[0] - b[0]).map(([, point]) => point);
}

/**
 * The readings taken right after a major (mark-compact) collection: those whose collector count rose since the
 * reading before. A heap is lowest after a mark-compact, where it holds what survived plus what was allocated in the
 * few seconds since, so a slope through these is the growth of what a service keeps. The lowest reading of a time
 * window is not: a window without a major collection has only a point of the sawtooth, and with collections minutes
 * apart the slope swung by ±1.5 MB/min on a flat heap depending on where they fell.
 * Points: [minutes, value, major collections so far].
 */
export function afterMajorCollections(points: ReadonlyArray<readonly [number, number, number]>): Array<[number, number]> {
  const after: Array<[number, number]> = [];
  for (let i = 1; i < points.length; i++) {
    if (points[i]![2] > points[i - 1]![2]) after.push([points[i]![0], points[i]![1]]);
  }
  return after;
}

/** Fewer readings after a major collection than this give no growth figure: two points make a slope of anything. */
export const MIN_READINGS_AFTER_MAJOR = 3;

/** The slope through the readings after major collections, and how many there were (NaN below MIN_READINGS_AFTER_MAJOR). */
export function keptGrowth(points: ReadonlyArray<readonly [number, number, number]>): { mbPerMin: number; readings: number } {
  const after = afterMajorCollections(points);
  return { mbPerMin: after.length >= MIN_READINGS_AFTER_MAJOR ? slope(after) : NaN, readings: after.length };
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
