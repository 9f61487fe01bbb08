import { UsageError } from '@hookbus/config';
import { parseDeadLetterArgs } from './deadletters';

describe('deadletters command line', () => {
  it.each([
    ['a misspelt selection (--cod X redrove every normalizer dead letter)', ['redrive', '--stage', 'normalizer', '--cod', 'X'], /Unknown option '--cod'/],
    ['a selection without its value', ['redrive', '--stage'], /--stage/],
    ['a selection followed by another option', ['redrive', '--stage', '--code', 'x'], /--stage/],
    ['a stage that is none', ['redrive', '--stage', 'normaliser'], /^--stage: normalizer/],
    ['an empty code', ['list', '--code', ''], /^--code: a dead-letter code/],
    ['an id that is not partition:offset', ['redrive', '1:42', '17'], /^redrive: not a dead-letter id .*: 17$/],
    ['ids after list', ['list', '1:42'], /^list takes no ids/],
    ['--json with redrive', ['redrive', '1:42', '--json'], /^--json: only with list/],
    ['redrive of nothing', ['redrive'], /^nothing to redrive/],
    ['an unknown command', ['resurrect'], /^unknown command resurrect/],
  ])('refuses %s', (_what, argv, message) => {
    expect(() => parseDeadLetterArgs(argv)).toThrow(UsageError);
    expect(() => parseDeadLetterArgs(argv)).toThrow(message);
  });

  it('reads well-formed command lines', () => {
    expect(parseDeadLetterArgs([])).toEqual({ command: 'list', ids: [], stage: undefined, code: undefined, json: false });
    expect(parseDeadLetterArgs(['list', '--stage', 'orchestrator-retry-short', '--json'])).toMatchObject({ command: 'list', stage: 'orchestrator-retry-short', json: true });
    expect(parseDeadLetterArgs(['redrive', '1:42', '0:17'])).toMatchObject({ command: 'redrive', ids: ['1:42', '0:17'] });
    expect(parseDeadLetterArgs(['redrive', '--stage', 'normalizer', '--code', 'providers.malformed_json'])).toMatchObject({ command: 'redrive', ids: [], stage: 'normalizer', code: 'providers.malformed_json' });
  });
});
