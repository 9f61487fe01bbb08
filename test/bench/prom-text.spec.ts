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

  it('counts the major collections the process has run (prom-client observes them as they happen)', async () => {
    const registry = createMetricsRegistry('gateway');
    const before = heapReading(await registry.metrics())!.majorGcs;
    // A full collection, as the soak's services run them; --expose-gc is not given to jest, so through V8's flags.
    const { setFlagsFromString } = await import('node:v8');
    const { runInNewContext } = await import('node:vm');
    setFlagsFromString('--expose-gc');
    (runInNewContext('gc') as () => void)();
    // The GC observer reports on a later tick: look until it has (bounded), then say what was seen.
    let after = before;
    for (let i = 0; i < 50 && after === before; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      after = heapReading(await registry.metrics())!.majorGcs;
    }
    expect(after).toBeGreaterThan(before);
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
