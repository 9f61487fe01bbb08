import { parseArgs } from 'node:util';
import { parseCommandLine, refuseArguments, UsageError, wholeNumberOption } from './cli';

describe('command-line helpers', () => {
  it('parseCommandLine turns every strict parseArgs refusal into a UsageError (exit 64)', () => {
    const parse = (args: string[]) => () => parseCommandLine(() => parseArgs({ args, options: { from: { type: 'string' } }, strict: true }));
    expect(parse(['--fromm', 'x'])).toThrow(UsageError);
    expect(parse(['--fromm', 'x'])).toThrow(/^Unknown option '--fromm'/);
    expect(parse(['--from'])).toThrow(UsageError);
    expect(parse(['stray'])).toThrow(UsageError);
    expect(parse(['--from', 'x'])()).toMatchObject({ values: { from: 'x' } });
  });

  it('parseCommandLine lets any other error through as it is (not a command-line mistake)', () => {
    const failure = new RangeError('not about the command line');
    expect(() => parseCommandLine(() => { throw failure; })).toThrow(failure);
  });

  it('refuseArguments: a command that takes none refuses every argument', () => {
    expect(() => refuseArguments([])).not.toThrow();
    expect(() => refuseArguments(['--fast'])).toThrow(UsageError);
    expect(() => refuseArguments(['now'])).toThrow(UsageError);
  });

  it('wholeNumberOption reads whole numbers only', () => {
    expect(wholeNumberOption('partition', '12')).toBe(12);
    expect(wholeNumberOption('samples', '1', 1)).toBe(1);
    for (const raw of ['x', '', '-1', '1.5', '1e3', ' 2', '99999999999999999999']) {
      expect(() => wholeNumberOption('partition', raw)).toThrow(UsageError);
    }
    expect(() => wholeNumberOption('samples', '0', 1)).toThrow('--samples: expected a whole number ≥ 1, got "0"');
  });
});
