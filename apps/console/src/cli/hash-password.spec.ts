import { UsageError } from '@hookbus/config';
import { passwordFromInput } from './hash-password';

describe('console:hash-password input', () => {
  it('takes the first line of stdin, without its line ending', () => {
    expect(passwordFromInput('correct horse battery\r\nignored\n')).toBe('correct horse battery');
  });

  it('refuses a password shorter than 12 characters', () => {
    expect(() => passwordFromInput('short\n')).toThrow(UsageError);
    expect(() => passwordFromInput('')).toThrow(/at least 12 characters/);
  });
});
