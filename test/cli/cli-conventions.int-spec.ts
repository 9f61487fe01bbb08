/**
 * Every command a user runs from a terminal (the package.json scripts lag, show, replay, deadletters, credas:refetch,
 * demo, kafka) as the user runs it: the built file, as its own process. `--help` answers with usage and exit codes
 * without any setting, broker or database; a wrong command line exits 64 with the usage; a run prints only what was
 * asked for on stdout, and nothing on stderr when nothing is wrong (no kafkajs lines).
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { TEST_DATABASE_URL, TEST_KAFKA_BROKERS } from '@hookbus/testing';

const ROOT = join(__dirname, '..', '..');
const COMMANDS: ReadonlyArray<readonly [script: string, file: string]> = [
  ['lag', 'dist/scripts/lag.js'],
  ['show', 'dist/scripts/show.js'],
  ['replay', 'dist/apps/normalizer/src/cli/replay.js'],
  ['deadletters', 'dist/scripts/deadletters.js'],
  ['credas:refetch', 'dist/apps/orchestrator/src/cli/refetch.js'],
  ['demo', 'dist/scripts/demo.js'],
  ['kafka', 'dist/scripts/kafka/local-kafka.js'],
];

function run(file: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, [join(ROOT, file), ...args], {
    cwd: ROOT,
    // Nothing of the caller's environment: --help must not need a single setting.
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe.each(COMMANDS)('npm run %s', (_script, file) => {
  it('--help prints usage, options and exit codes on stdout and exits 0, even with invalid settings', () => {
    // An invalid setting that the command would refuse: --help answers before reading any.
    const result = run(file, ['--help'], { LOG_LEVEL: 'loud', KAFKA_BROKERS: 'not a broker list' });
    expect(result).toEqual({ code: 0, stdout: expect.stringMatching(/^usage: /), stderr: '' });
    expect(result.stdout).toContain('exit codes:');
    expect(result.stdout).toMatch(/^ {2}64 {2}the command line is wrong/m);
    expect(run(file, ['-h']).stdout).toBe(result.stdout);
  });
});

describe('a wrong command line', () => {
  it.each([
    ['lag', 'dist/scripts/lag.js', ['--no-such-option']],
    ['replay', 'dist/apps/normalizer/src/cli/replay.js', ['--provider', 'nope']],
    ['deadletters', 'dist/scripts/deadletters.js', ['resurrect']],
    ['credas:refetch', 'dist/apps/orchestrator/src/cli/refetch.js', []],
    ['kafka', 'dist/scripts/kafka/local-kafka.js', ['boil']],
    ['show', 'dist/scripts/show.js', []],
  ])('%s exits 64 with the usage on stderr and nothing on stdout', (_script, file, args) => {
    const result = run(file, args, { KAFKA_BROKERS: '127.0.0.1:1', DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' });
    expect(result.code).toBe(64);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/usage: npm run /);
  });

  // Mistakes that used to be ignored: a typo widened a replay or a redrive to everything, a bad number ran anyway.
  it.each([
    ['replay', 'dist/apps/normalizer/src/cli/replay.js', ['--provider', 'credas', '--dryrun'], /^Unknown option '--dryrun'/],
    ['replay', 'dist/apps/normalizer/src/cli/replay.js', ['--provider', 'credas', '--from'], /--from/],
    ['replay', 'dist/apps/normalizer/src/cli/replay.js', ['--provider', 'credas', '--partition', 'x'], /^--partition: expected a whole number/],
    ['deadletters', 'dist/scripts/deadletters.js', ['redrive', '--stage', 'normalizer', '--cod', 'X'], /^Unknown option '--cod'/],
    ['show', 'dist/scripts/show.js', ['--json', 'credas:x'], /^Unknown option '--json'/],
    ['demo', 'dist/scripts/demo.js', ['--fast'], /^Unknown option '--fast'/],
    ['credas:refetch', 'dist/apps/orchestrator/src/cli/refetch.js', ['9afe8b16', '--force'], /^Unknown option '--force'/],
  ])('%s %j exits 64 with a one-line reason, then the usage; nothing done', (_script, file, args, reason) => {
    const result = run(file, args, { KAFKA_BROKERS: '127.0.0.1:1', DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' });
    expect(result.code).toBe(64);
    expect(result.stdout).toBe('');
    const [first, blank, usage] = result.stderr.split('\n');
    expect(first).toMatch(reason);
    expect(blank).toBe('');
    expect(usage).toMatch(/^usage: npm run /);
  });
});

describe('a run prints what was asked for, and nothing else', () => {
  const env = { KAFKA_BROKERS: TEST_KAFKA_BROKERS.join(','), DATABASE_URL: TEST_DATABASE_URL };

  it('replay with its producer connected prints its one summary line; no kafkajs line on stderr', () => {
    // A range in the future: nothing to read, but the idempotent producer connects (kafkajs warned "Limiting retries
    // for the idempotent producer" there, on the user's console).
    const from = new Date(Date.now() + 3_600_000).toISOString();
    const result = run('dist/apps/normalizer/src/cli/replay.js', ['--provider', 'credas', '--from', from], env);
    expect(result).toEqual({ code: 0, stdout: 'published 0 events from 0 raw records of webhooks.raw.credas; 0 still fail\n', stderr: '' });
  });

  it('replay of a partition the topic does not have exits 64 naming the partitions it has (not "published 0 events", exit 0)', () => {
    const result = run('dist/apps/normalizer/src/cli/replay.js', ['--provider', 'credas', '--partition', '999', '--dry-run'], env);
    expect(result.code).toBe(64);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')[0]).toMatch(/^--partition: webhooks\.raw\.credas has partitions 0(, \d+)*, not 999$/);
  });

  it('credas:refetch prints the one line that says what it requested; no kafkajs line on stderr', () => {
    const processId = randomUUID();
    const result = run('dist/apps/orchestrator/src/cli/refetch.js', [processId], env);
    expect(result).toEqual({ code: 0, stdout: expect.stringMatching(new RegExp(`^re-fetch of credas:${processId} requested \\(command [0-9a-f-]{36}\\)\\n$`)), stderr: '' });
  });

  it('show of something that is not there says so and exits 2', () => {
    const result = run('dist/scripts/show.js', ['credas:no-such-process-in-any-test'], env);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/nothing found/);
    expect(result.stderr).toBe('');
  });

  it('deadletters redrive of an id that is not a dead letter exits 2 and redrives nothing', () => {
    const result = run('dist/scripts/deadletters.js', ['redrive', '0:999999999'], env);
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'no dead letter not yet redriven matches 0:999999999; nothing redriven\n' });
  });
});
