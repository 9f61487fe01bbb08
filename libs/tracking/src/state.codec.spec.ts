import { InvalidRecordError } from '@hookbus/contracts';
import { applyCommunicationEvent } from './communication-state';
import { applyProcessEvent } from './process-state';
import { parseCommunicationState, parseProcessState, serializeCommunicationState, serializeProcessState } from './state.codec';
import { communicationEvent, processEvent } from './testing/tracking-events';

const communication = applyCommunicationEvent(
  null,
  communicationEvent('e1', '2025-01-01T10:00:00Z', { communicationId: 'octapush:viber:k', provider: 'octapush', channel: 'viber', status: 'fallback_sms', continuedAs: 'octapush:sms:k' }),
).state;
const process = applyProcessEvent(
  null,
  processEvent('a1', '2025-01-01T10:00:00Z', { processKey: 'authvia:bp-1', provider: 'authvia', status: 'scheduled', version: 1, expiresAt: '2025-02-15T10:00:00Z' }),
).state;

describe('state codec', () => {
  it('round-trips a communication state, from a string or a Buffer', () => {
    const json = serializeCommunicationState(communication);
    expect(parseCommunicationState(json)).toEqual(communication);
    expect(parseCommunicationState(Buffer.from(json))).toEqual(communication);
  });

  it('round-trips a process state', () => {
    expect(parseProcessState(serializeProcessState(process))).toEqual(process);
  });

  it('writes equal states as equal bytes, whatever the key order in memory', () => {
    const shuffled = Object.fromEntries(Object.entries(process).reverse()) as typeof process;
    expect(serializeProcessState(shuffled)).toBe(serializeProcessState(process));
  });

  it.each<[string, string]>([
    ['not JSON', '{'],
    ['a process state', serializeProcessState(process)],
    ['a non-canonical status', serializeCommunicationState({ ...communication, status: 'Seen' as never })],
    ['a missing field', JSON.stringify({ ...communication, seq: undefined })],
    ['a negative seq', serializeCommunicationState({ ...communication, seq: -1 })],
    ['an extra field', JSON.stringify({ ...communication, phone: '+306900000000' })],
  ])('refuses a communication state that is %s', (_name, json) => {
    expect(() => parseCommunicationState(json)).toThrow(InvalidRecordError);
  });

  it('names the field, never the value, when it refuses', () => {
    const json = serializeCommunicationState({ ...communication, entityId: 42 as never });
    expect(() => parseCommunicationState(json)).toThrow(/\/entityId/);
    expect(() => parseCommunicationState(json)).toThrow(expect.objectContaining({ code: 'tracking.invalid_state', message: expect.not.stringContaining('42') }));
  });

  it.each<[string, string]>([
    ['duplicate entity ids', serializeProcessState({ ...process, entityIds: ['a', 'a'] })],
    ['a string version', JSON.stringify({ ...process, version: '1' })],
    ['a communication state', serializeCommunicationState(communication)],
  ])('refuses a process state with %s', (_name, json) => {
    expect(() => parseProcessState(json)).toThrow(InvalidRecordError);
  });
});
