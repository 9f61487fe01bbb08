import { InvalidRecordError } from '@hookbus/contracts';
import { findPersonalData } from '@hookbus/platform';
import { parseJsonText } from './decode-body';

describe('parseJsonText', () => {
  it.each([
    ['cut short', '{"phone":"+306912345678","email":"jane@example.com"'],
    ['a stray token', '{"phone":"+306912345678","email":"jane@example.com",}'],
    ['not JSON at all', 'phone=+306912345678&email=jane@example.com'],
  ])('refuses malformed JSON (%s) with an error that quotes none of the body', (_name, body) => {
    let error: unknown;
    expect(() => {
      try {
        parseJsonText(body);
      } catch (thrown) {
        error = thrown;
        throw thrown;
      }
    }).toThrow(InvalidRecordError);
    expect(error).toMatchObject({ code: 'providers.malformed_json' });
    const message = (error as Error).message;
    expect(findPersonalData(message)).toEqual([]);
    expect(message).not.toContain('phone');
  });

  it('says where the JSON breaks, by position only', () => {
    expect(() => parseJsonText('{"a":1,}')).toThrow(/position 7/);
  });
});
