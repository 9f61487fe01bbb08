/** What the bench reads off a service's /metrics (bench/lib/prom-text.ts). */
import { createMetricsRegistry } from '@hookbus/platform';
import { heapReading, metricSum } from '../../bench/lib/prom-text';

describe('heapReading', () => {
  it('reads V8\'s heap in use and the external memory from the registry every service exports (service label on every series)', async () => {
    const registry = createMetricsRegistry('gateway');
    const before = process.memoryUsage();
    const reading = heapReading(await registry.metrics());
    const after = process.memoryUsage();
    expect(reading).not.toBeNull();
    // Bounded by what the process says of itself around the scrape (the scrape itself allocates).
    expect(reading!.usedMb).toBeGreaterThan(Math.min(before.heapUsed, after.heapUsed) / 1_048_576 / 2);
    expect(reading!.usedMb).toBeLessThan(Math.max(before.heapTotal, after.heapTotal) / 1_048_576);
    expect(reading!.externalMb).toBeGreaterThan(0);
  });

  it('counts the major collections and only those (prom-client observes them as they happen)', async () => {
    const registry = createMetricsRegistry('gateway');
    const before = heapReading(await registry.metrics())!.majorGcs;
    // Our own observer, registered after the registry's, is told the same batch after it.
    const { PerformanceObserver, constants } = await import('node:perf_hooks');
    const seen = new Promise<void>((resolve) => {
      const observer = new PerformanceObserver((list) => {
        if (list.getEntries().some((e) => (e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR)) {
          observer.disconnect();
          resolve();
        }
      });
      observer.observe({ entryTypes: ['gc'] });
    });
    // A full collection; --expose-gc is not given to jest, so through V8's flags.
    const { setFlagsFromString } = await import('node:v8');
    const { runInNewContext } = await import('node:vm');
    setFlagsFromString('--expose-gc');
    (runInNewContext('gc') as () => void)();
    await seen;
    expect(heapReading(await registry.metrics())!.majorGcs).toBeGreaterThan(before);
    // Minor collections are not counted: a text with both kinds.
    const text = ['nodejs_heap_size_used_bytes{service="x"} 1048576', 'nodejs_gc_duration_seconds_count{service="x",kind="minor"} 40', 'nodejs_gc_duration_seconds_count{service="x",kind="major"} 3'].join('\n');
    expect(heapReading(text)).toEqual({ usedMb: 1, externalMb: 0, majorGcs: 3 });
  });

  it('gives null for a text without them (a service not answering gives an empty text)', () => {
    expect(heapReading('')).toBeNull();
    expect(heapReading('nodejs_heap_size_used_bytes_total 5\n')).toBeNull();
  });
});

describe('metricSum', () => {
  it('sums a series over its label sets and ignores longer names, comments and other labels', () => {
    const text = ['# HELP x_total help', 'x_total{a="1"} 2', 'x_total{a="2"} 3', 'x_total_other 100', 'x_total 5'].join('\n');
    expect(metricSum(text, 'x_total')).toBe(10);
    expect(metricSum(text, 'x_total', 'a="2"')).toBe(3);
  });
});
