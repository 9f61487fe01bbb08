/** Figures the bench reads off a service's Prometheus text (its /metrics). */

/**
 * V8's heap in use, the memory held outside it (Buffers) and how many major (mark-compact) collections the process
 * has run, from a service's default Node metrics (prom-client); null without them.
 */
export function heapReading(metricsText: string): { usedMb: number; externalMb: number; majorGcs: number } | null {
  if (!/^nodejs_heap_size_used_bytes[ {]/m.test(metricsText)) return null;
  return {
    usedMb: metricSum(metricsText, 'nodejs_heap_size_used_bytes') / 1_048_576,
    externalMb: metricSum(metricsText, 'nodejs_external_memory_bytes') / 1_048_576,
    majorGcs: metricSum(metricsText, 'nodejs_gc_duration_seconds_count', 'kind="major"'),
  };
}

/** Sum of a Prometheus series (all label sets) from a /metrics text. */
export function metricSum(text: string, name: string, labelFilter = ''): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || line.startsWith('#')) continue;
    const rest = line.slice(name.length);
    if (!(rest.startsWith(' ') || rest.startsWith('{'))) continue;
    if (labelFilter && !rest.includes(labelFilter)) continue;
    sum += Number(line.split(' ').pop());
  }
  return sum;
}
