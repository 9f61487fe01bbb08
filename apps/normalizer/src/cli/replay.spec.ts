import { UsageError } from '@hookbus/config';
import { parseReplayArgs } from './replay';

describe('replay command line', () => {
  it.each([
    ['a misspelt option (--dryrun republishes the whole topic)', ['--provider', 'credas', '--dryrun'], /Unknown option '--dryrun'/],
    ['--from without its value (the whole topic)', ['--provider', 'credas', '--from'], /--from/],
    ['--from followed by another option', ['--provider', 'credas', '--from', '--dry-run'], /--from/],
    ['a date that is not one', ['--provider', 'credas', '--from', 'yesterday'], /^--from: not a date/],
    ['an empty date', ['--provider', 'credas', '--to', ''], /^--to: not a date/],
    ['--from not before --to', ['--provider', 'credas', '--from', '2026-11-02T00:00:00Z', '--to', '2026-11-01T00:00:00Z'], /is not before --to/],
    ['a partition that is not a number ("published 0 events", exit 0)', ['--provider', 'credas', '--partition', 'x'], /^--partition: expected a whole number/],
    ['a negative partition', ['--provider', 'credas', '--partition', '-1'], /--partition/],
    ['an offset that is not a number', ['--provider', 'credas', '--partition', '0', '--from-offset', '1e3'], /^--from-offset: expected a whole number/],
    ['offsets without a partition', ['--provider', 'credas', '--from-offset', '5'], /need --partition/],
    ['offsets the wrong way round', ['--provider', 'credas', '--partition', '0', '--from-offset', '9', '--to-offset', '3'], /is after --to-offset/],
    ['an unknown provider', ['--provider', 'nope'], /^--provider: one of/],
    ['neither provider nor source', ['--dry-run'], /^--provider: one of/],
    ['a stray argument', ['--provider', 'credas', 'everything'], /Unexpected argument 'everything'/],
  ])('refuses %s', (_what, argv, message) => {
    expect(() => parseReplayArgs(argv)).toThrow(UsageError);
    expect(() => parseReplayArgs(argv)).toThrow(message);
  });

  it('reads a well-formed command line', () => {
    expect(parseReplayArgs(['--provider', 'octapush', '--partition', '2', '--from-offset', '100', '--to-offset', '200', '--dry-run'])).toEqual({
      provider: 'octapush',
      sourceId: undefined,
      from: undefined,
      to: undefined,
      partition: 2,
      fromOffset: '100',
      toOffset: '200',
      dryRun: true,
    });
    expect(parseReplayArgs(['--source', 'credas-actor', '--from', '2026-11-01T00:00:00Z'])).toMatchObject({ sourceId: 'credas-actor', from: new Date('2026-11-01T00:00:00Z'), dryRun: false });
  });
});
