import { findPersonalData } from './personal-data';

describe('findPersonalData', () => {
  it.each([
    ['an E.164 number inside a key', '{"key":"octapush:sms:+306912345678","msg":"x"}', '+306912345678'],
    ['a formatted international number', '{"reason":"no route to +44 7911 123456"}', '+44 7911 123456'],
    ['a fictional UK number with its +', 'state octapush:viber:+447700900123', '+447700900123'],
    ['E.164 digits without the +', '"messageKey":"972528123456"', '972528123456'],
    ['a UK number written nationally', 'sent to 020 7946 0000 today', '020 7946 0000'],
    ['a US number with brackets', 'call (415) 555-2671 or +1 (415) 555-2671', '+1 (415) 555-2671'],
  ])('finds %s', (_name, line, match) => {
    expect(findPersonalData([line]).map((f) => [f.kind, f.match])).toContainEqual(['phone', match]);
  });

  it('finds email addresses, and says on which line', () => {
    expect(findPersonalData(['nothing here', '{"to":"jane.doe+tag@example.co.uk"}'])).toEqual([{ kind: 'email', match: 'jane.doe+tag@example.co.uk', line: 1 }]);
  });

  it.each([
    ['a UUID', '{"receiptId":"0193a3c2-7c93-4d2e-86ee-727737c6f482"}'],
    ['an ISO time', '{"time":"2026-11-30T13:51:27.123Z"}'],
    ['an epoch in milliseconds', '{"appendedAtMs":1700000000123}'],
    ['Kafka offsets, partitions and ports', '{"offset":"1234567","partition":3,"broker":"127.0.0.1:19130"}'],
    ['a sha256 prefix', '{"keyHash":"a3f1c29e84b0"}'],
    ['byte counts', '{"truncatedBytes":16777216,"maxBytes":2147483648}'],
  ])('leaves %s alone', (_name, line) => {
    expect(findPersonalData(line)).toEqual([]);
  });
});
