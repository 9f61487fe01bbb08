import { normalizePhone } from './octapush-phone';

describe('normalizePhone', () => {
  it.each([
    ['+306912345678', null, '+306912345678'],
    ['+30 691 234 5678', null, '+306912345678'],
    ['+30 (691) 234-5678', 'GB', '+306912345678'],
    ['00306912345678', null, '+306912345678'],
    ['306912345678', null, '+306912345678'],
    ['306912345678', 'GR', '+306912345678'],
    ['306912345678', 'IL', '+306912345678'],
    ['6912345678', 'GR', '+306912345678'],
    ['07911123456', 'GB', '+447911123456'],
    ['447911123456', null, '+447911123456'],
    ['972528123456', null, '+972528123456'],
    ['052-812-3456', 'IL', '+972528123456'],
    // Not valid in libphonenumber's metadata, but of Israeli length: the default region is trusted.
    ['054-123-4567', 'IL', '+972541234567'],
    ['4155552671', 'US', '+14155552671'],
  ] as const)('%j (region %s) → %s', (given, region, expected) => {
    expect(normalizePhone(given, region)).toBe(expected);
  });

  it.each([
    ['6912345678', null, '6912345678'],
    ['12345', 'GR', '12345'],
    ['(123) 45', null, '12345'],
    ['not a number', null, 'not a number'],
    ['{PhoneNumber}', 'GR', '{PhoneNumber}'],
  ] as const)('keeps the unparseable %j (region %s) as %j', (given, region, expected) => {
    expect(normalizePhone(given, region)).toBe(expected);
  });

  it('does not throw on an unknown region', () => {
    expect(normalizePhone('6912345678', 'ZZ')).toBe('6912345678');
  });
});
