import { InvalidRecordError } from '@hookbus/contracts';
// The wire's header names, for assertions on what was written (production code reads them through the codecs).
import { DeadLetterHeaders } from '../../contracts/src/record-headers';
import { deadLetterFor } from './dead-letter';
import type { ConsumedRecord } from './records';

const record: ConsumedRecord = {
  topic: 'webhooks.raw.octapush',
  partition: 2,
  offset: '41',
  key: Buffer.from('octapush-sms'),
  value: Buffer.from('{"phone":"+306912345678"'),
  headers: { 'hookbus-receipt-id': 'r-1' },
  timestamp: '0',
};

describe('deadLetterFor', () => {
  it('names the error by class and code, never by a message that can quote the input', () => {
    // A parse error quoting the body, as V8's JSON.parse does.
    const error = new InvalidRecordError('providers.malformed_json', 'Unexpected end of JSON input: "{"phone":"+306912345678","email":"jane@example.com"');
    const dead = deadLetterFor(record, 'normalizer', error, 1, new Date('2026-11-30T00:00:00Z'));
    expect(dead.headers![DeadLetterHeaders.errorCode]).toBe('providers.malformed_json');
    expect(dead.headers![DeadLetterHeaders.error]).toBe('InvalidRecordError');
    expect(Object.values(dead.headers!).join('\n')).not.toMatch(/306912345678|jane@/);
    expect(dead.value).toBe(record.value);
  });

  it('names an error that is not an Error by its type', () => {
    const dead = deadLetterFor(record, 'projector', 'a string thrown with +306912345678', 1);
    expect(dead.headers![DeadLetterHeaders.error]).toBe('string');
  });
});
