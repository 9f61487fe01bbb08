/**
 * The Node process metrics every service exports (createMetricsRegistry). prom-client 15.1.3 observed only the first
 * garbage collection of each batch the GC observer delivers, so collections V8 reported together (under load, a
 * scavenge and a mark-compact; here three forced ones) counted as one: patches/prom-client+15.1.3.patch.
 */
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createMetricsRegistry } from './metrics';

function majorCollections(text: string): number {
  const line = text.split('\n').find((l) => l.startsWith('nodejs_gc_duration_seconds_count{') && l.includes('kind="major"'));
  return line ? Number(line.split(' ').pop()) : 0;
}

it('counts every garbage collection of a batch, not only the first', async () => {
  const registry = createMetricsRegistry('test');
  const before = majorCollections(await registry.metrics());
  // Our own observer, registered after the registry's: told the same batch, after it.
  const seen = new Promise<number>((resolve) => {
    let majors = 0;
    const observer = new PerformanceObserver((list) => {
      majors += list.getEntries().filter((e) => (e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR).length;
      if (majors >= 3) {
        observer.disconnect();
        resolve(majors);
      }
    });
    observer.observe({ entryTypes: ['gc'] });
  });
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
  gc();
  const majors = await seen;
  expect(majorCollections(await registry.metrics()) - before).toBeGreaterThanOrEqual(majors);
});
