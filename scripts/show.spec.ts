import { UsageError } from '@hookbus/config';
import { parseShowArgs } from './show';

describe('show command line', () => {
  it('refuses an option (show has none) instead of looking it up as a key', () => {
    expect(() => parseShowArgs(['--json', 'credas:abc'])).toThrow(UsageError);
    expect(() => parseShowArgs(['-x'])).toThrow(/Unknown option '-x'/);
  });

  it('refuses an empty key', () => {
    expect(() => parseShowArgs([])).toThrow(UsageError);
    expect(() => parseShowArgs(['', ' '])).toThrow(/^show: name a processKey/);
  });

  it('looks up what follows -- literally, and joins a phone written in parts', () => {
    expect(parseShowArgs(['--', '--weird-key'])).toBe('--weird-key');
    expect(parseShowArgs(['+44', '7700', '900123'])).toBe('+44 7700 900123');
    expect(parseShowArgs(['credas:9afe8b16'])).toBe('credas:9afe8b16');
  });
});
