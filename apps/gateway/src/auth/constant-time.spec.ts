import fc from 'fast-check';
import { matchesSecret, safeEqual } from './constant-time';

describe('constant-time comparison', () => {
  it('safeEqual and matchesSecret agree with plain equality, whatever the lengths', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (received, secret) => {
        expect(safeEqual(received, secret)).toBe(received === secret);
        expect(matchesSecret(received, secret)).toBe(received === secret);
        expect(matchesSecret(secret, secret)).toBe(true);
      }),
    );
  });

  it('a configured secret compared many times still matches only itself', () => {
    for (let i = 0; i < 3; i++) {
      expect(matchesSecret('s3cret', 's3cret')).toBe(true);
      expect(matchesSecret('s3cret ', 's3cret')).toBe(false);
      expect(matchesSecret('', 's3cret')).toBe(false);
    }
  });
});
