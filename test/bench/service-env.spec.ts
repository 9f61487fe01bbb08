/** BENCH_SERVICE_ENV: the variables one service's children get for an A/B of a runtime setting (bench/lib/service-env.ts). */
import { withOverrides } from '../../bench/lib/service-env';

const base = { PATH: '/bin', NODE_OPTIONS: '--max-old-space-size=224', MALLOC_ARENA_MAX: '2' };

it.each([
  ['no overrides', undefined, 'tracker', base],
  ['another service named', '{"normalizer":{"MALLOC_ARENA_MAX":"8"}}', 'tracker', base],
  ['a value replaced', '{"tracker":{"MALLOC_ARENA_MAX":"8"}}', 'tracker', { ...base, MALLOC_ARENA_MAX: '8' }],
  ['a variable added', '{"tracker":{"MALLOC_TRIM_THRESHOLD_":"131072"}}', 'tracker', { ...base, MALLOC_TRIM_THRESHOLD_: '131072' }],
  ['null removes one', '{"tracker":{"MALLOC_ARENA_MAX":null}}', 'tracker', { PATH: '/bin', NODE_OPTIONS: '--max-old-space-size=224' }],
] as const)('%s', (_case, overrides, service, expected) => {
  expect(withOverrides(base, overrides, service)).toEqual(expected);
});

it('leaves the environment it was given as it was', () => {
  const env = { ...base };
  withOverrides(env, '{"tracker":{"MALLOC_ARENA_MAX":null}}', 'tracker');
  expect(env).toEqual(base);
});
