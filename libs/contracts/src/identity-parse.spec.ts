import fc from 'fast-check';
import { credasCommunicationId, octapushCommunicationId, parseCommunicationId, parseIdentity, parseProcessKey, processKey } from './identity';
import { KEY_PATTERNS } from './schemas/schema-fragments';

describe('parseCommunicationId: the inverse of the communicationId builders (contract §4)', () => {
  it.each([
    ['a Credas sms invitation', 'credas:9afe8b16:11014:sms', { provider: 'credas', processId: '9afe8b16', processActorId: '11014', channel: 'sms', processKey: 'credas:9afe8b16' }],
    ['a Credas email invitation', 'credas:p:a:email', { provider: 'credas', processId: 'p', processActorId: 'a', channel: 'email', processKey: 'credas:p' }],
    ['an Octapush sms to a phone', 'octapush:sms:+306912345678', { provider: 'octapush', channel: 'sms', messageKey: '+306912345678' }],
    ['an Octapush key of several tokens (holds ":")', 'octapush:viber:+3069:CAMPAIGN7', { provider: 'octapush', channel: 'viber', messageKey: '+3069:CAMPAIGN7' }],
    ['a Credas id with a fifth part', 'credas:p:a:sms:x', null],
    ['a Credas id with another channel', 'credas:p:a:viber', null],
    ['an Octapush id without a key', 'octapush:sms:', null],
    ['an Octapush id with another channel', 'octapush:email:x', null],
    ['a processKey', 'credas:9afe8b16', null],
    ['another provider', 'authvia:bp:1:sms', null],
    ['empty', '', null],
  ])('%s', (_name, id, expected) => {
    expect(parseCommunicationId(id)).toEqual(expected);
  });
});

describe('parseProcessKey: the inverse of processKey()', () => {
  it.each([
    ['Credas', 'credas:9afe8b16-0b4d', { provider: 'credas', processId: '9afe8b16-0b4d' }],
    ['Authvia', 'authvia:bp-1', { provider: 'authvia', processId: 'bp-1' }],
    ['Cellosign (a session id may hold ":")', 'cellosign:D12:34', { provider: 'cellosign', processId: 'D12:34' }],
    ['a Credas communicationId', 'credas:p:a:sms', null],
    ['Octapush has no processes', 'octapush:x', null],
    ['no id', 'authvia:', null],
    ['no provider', '9afe8b16', null],
  ])('%s', (_name, key, expected) => {
    expect(parseProcessKey(key)).toEqual(expected);
  });
});

describe('parseIdentity: a key of events.transitions.v1', () => {
  it.each([
    ['credas:p:a:sms', 'communication'],
    ['octapush:viber:+3069', 'communication'],
    ['credas:p', 'process'],
    ['cellosign:D1', 'process'],
    ['something:else', null],
  ])('%s is a %s key', (key, kind) => {
    expect(parseIdentity(key)?.kind ?? null).toBe(kind);
  });
});

const idPart = fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !s.includes(':') && !/[\n\r\u2028\u2029]/.test(s));
const anyText = fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !/[\n\r\u2028\u2029]/.test(s));

describe('builders and parsers agree, and agree with the schemas\' key patterns (property)', () => {
  it('credas communicationId', () => {
    fc.assert(fc.property(idPart, idPart, fc.constantFrom('sms' as const, 'email' as const), (processId, actor, channel) => {
      const id = credasCommunicationId(processId, actor, channel);
      expect(parseCommunicationId(id)).toEqual({ provider: 'credas', processId, processActorId: actor, channel, processKey: processKey('credas', processId) });
      expect(id).toMatch(new RegExp(KEY_PATTERNS.communicationId));
    }));
  });

  it('octapush communicationId', () => {
    fc.assert(fc.property(fc.constantFrom('sms' as const, 'viber' as const), anyText, (channel, messageKey) => {
      const id = octapushCommunicationId(channel, messageKey);
      expect(parseCommunicationId(id)).toEqual({ provider: 'octapush', channel, messageKey });
      expect(id).toMatch(new RegExp(KEY_PATTERNS.communicationId));
    }));
  });

  it('processKey', () => {
    fc.assert(fc.property(fc.constantFrom('credas' as const, 'authvia' as const), idPart, (provider, id) => {
      expect(parseProcessKey(processKey(provider, id))).toEqual({ provider, processId: id });
      expect(processKey(provider, id)).toMatch(new RegExp(KEY_PATTERNS.processKey));
    }));
    fc.assert(fc.property(anyText, (id) => {
      expect(parseProcessKey(processKey('cellosign', id))).toEqual({ provider: 'cellosign', processId: id });
    }));
  });
});
