/** What the bench may drop and where it listens (bench/lib/setup.ts): overridable so a bench can run beside others. */
import { benchPorts, isBenchDatabaseName } from '../../bench/lib/setup';
import { isSearchBenchDatabaseName } from '../../bench/console-search';

it.each(['hookbus_bench', 'hookbus_bench_mine', 'hookbus_ceilings_bench'])('%s may be dropped and recreated', (name) => {
  expect(isBenchDatabaseName(name)).toBe(true);
});

it.each(['hookbus', 'hookbus_test', 'postgres', 'hookbus_faults', 'hookbus_ceilings', 'hookbus_a_b_bench', 'hookbus_Bench', 'hookbus_faults_bench', 'hookbus_test_bench'])('%s is never dropped', (name) => {
  expect(isBenchDatabaseName(name)).toBe(false);
});

it('puts every server on BENCH_PORT_BASE and the six ports after it', () => {
  expect(benchPorts('19862')).toEqual({ gateway: 19862, normalizer: 19863, tracker: 19864, projector: 19865, bare: 19866, naive: 19867, durable: 19868 });
  expect(benchPorts(undefined).gateway).toBe(3210);
});

it('refuses a base that is not a port', () => {
  expect(() => benchPorts('abc')).toThrow(/BENCH_PORT_BASE/);
  expect(() => benchPorts('65533')).toThrow(/BENCH_PORT_BASE/);
});

it.each(['hookbus_bench_search', 'hookbus_console_search_bench_search', 'hookbus_bench'])('%s may be dropped by the console-search part', (name) => {
  expect(isSearchBenchDatabaseName(name)).toBe(true);
});

it.each(['hookbus', 'hookbus_test', 'hookbus_console_search', 'hookbus_test_bench_search', 'hookbus_faults_bench_search', 'hookbus_search'])('%s is never dropped by the console-search part', (name) => {
  expect(isSearchBenchDatabaseName(name)).toBe(false);
});
