import fc from 'fast-check';
import { DateTime } from 'luxon';
import { isoToUtc } from './iso-time';

/** What the adapters did before iso-time.ts: luxon alone. */
function luxonToUtc(text: string, zone: string, setZone: boolean): string | null {
  const parsed = DateTime.fromISO(text.trim(), { zone, setZone });
  if (!parsed.isValid) return null;
  return parsed.toUTC().toISO({ suppressMilliseconds: false });
}

const ZONES = ['UTC', 'Etc/UTC', 'Europe/London', 'Asia/Jerusalem', 'America/New_York', 'Nowhere/Invalid'];

describe('isoToUtc: luxon\'s answer, without luxon for the common forms', () => {
  it.each([
    ['2025-01-26T08:49:33.626046', 'UTC', '2025-01-26T08:49:33.626Z'],
    ['2025-01-26T08:49:33.626046', 'Asia/Jerusalem', '2025-01-26T06:49:33.626Z'],
    ['2024-06-01T12:00:00Z', 'Europe/London', '2024-06-01T12:00:00.000Z'],
    ['2024-06-01T12:00:00+03:00', 'UTC', '2024-06-01T09:00:00.000Z'],
    ['2024-12-31T23:30:00-01:00', 'UTC', '2025-01-01T00:30:00.000Z'],
    ['2024-02-29T00:00:00Z', 'UTC', '2024-02-29T00:00:00.000Z'],
    ['  2024-01-01T00:00:00.1Z  ', 'UTC', '2024-01-01T00:00:00.100Z'],
    ['2023-02-29T00:00:00Z', 'UTC', null],
    ['2024-13-01T00:00:00Z', 'UTC', null],
    ['2024-06-01T12:00:00Z', 'Nowhere/Invalid', null],
    ['not a time', 'UTC', null],
    ['', 'UTC', null],
  ])('%j in %s → %j', (text, zone, expected) => {
    expect(isoToUtc(text, zone, false)).toBe(expected);
    expect(luxonToUtc(text, zone, false)).toBe(expected);
  });

  const digits = (n: number, max: number) => fc.integer({ min: 0, max }).map((v) => String(v).padStart(n, '0'));
  const nearIso = fc
    .record({
      year: fc.oneof(digits(4, 9999), fc.constantFrom('0999', '1000', '9999', '2024', '2023', '1900')),
      month: fc.oneof(digits(2, 13), fc.constantFrom('02', '12')),
      day: fc.oneof(digits(2, 32), fc.constantFrom('28', '29', '30', '31')),
      hour: fc.oneof(digits(2, 25), fc.constantFrom('00', '23', '24')),
      minute: fc.oneof(digits(2, 60), fc.constant('59')),
      second: fc.oneof(digits(2, 61), fc.constantFrom('59', '60')),
      fraction: fc.oneof(fc.constant(''), fc.stringMatching(/^[.,]\d{1,12}$/)),
      offset: fc.oneof(fc.constant(''), fc.constantFrom('Z', 'z', '+00:00', '-00:00', '+14:00', '-12:00', '+05:30', '+24:00', '+0530', '+05', '+99:99'), fc.stringMatching(/^[+-]\d\d:\d\d$/)),
      space: fc.constantFrom('', ' ', '\t'),
    })
    .map((p) => `${p.space}${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}${p.fraction}${p.offset}${p.space}`);

  it('gives luxon\'s answer for generated texts near the common form, in every zone, with and without setZone', () => {
    fc.assert(
      fc.property(nearIso, fc.constantFrom(...ZONES), fc.boolean(), (text, zone, setZone) => {
        expect(isoToUtc(text, zone, setZone)).toBe(luxonToUtc(text, zone, setZone));
      }),
      { numRuns: 5000 },
    );
  });

  it('gives luxon\'s answer for arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.constantFrom(...ZONES), fc.boolean(), (text, zone, setZone) => {
        expect(isoToUtc(text, zone, setZone)).toBe(luxonToUtc(text, zone, setZone));
      }),
      { numRuns: 2000 },
    );
  });
});
