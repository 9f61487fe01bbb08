import { Topics, decodeConsoleAudit, decodeRefetchCommand, encodeDeadLetter } from '@hookbus/contracts';
import { toEntry, type ConsumedRecord, type DeadLetterEntry, type OutgoingRecord } from '@hookbus/kafka';
import type { ConsoleSession } from './auth/sessions';
import { ActionRefused, ConsoleActions, auditRecord, credasProcessId, type ActionPorts } from './console-actions';

const NOW = new Date('2026-12-01T06:40:00.000Z');
const operator: ConsoleSession = { id: 's', user: 'olga', role: 'operator', csrfToken: 't', createdAt: 0, lastSeenAt: 0, unmaskedUntil: 0 };

function deadLetterEntry(offset: number): DeadLetterEntry {
  const e = encodeDeadLetter({
    original: { topic: 'webhooks.raw.credas', partition: 1, offset: String(offset), key: 'p1', value: Buffer.from('{}'), headers: {} },
    stage: 'normalizer', errorCode: 'providers.missing_field', errorClass: 'InvalidRecordError', attempts: 1, failedAt: NOW,
  });
  const record: ConsumedRecord = { topic: e.topic, partition: 0, offset: String(offset), key: Buffer.from(String(e.key)), value: e.value, headers: e.headers, timestamp: '0' };
  return toEntry(record)!;
}

function fakePorts(entries: DeadLetterEntry[], fail = false): ActionPorts & { sent: OutgoingRecord[][] } {
  const sent: OutgoingRecord[][] = [];
  return {
    sent,
    deadLetters: async () => entries,
    send: async (records) => {
      if (fail) throw Object.assign(new Error('down'), { code: 'kafka.unavailable' });
      sent.push([...records]);
    },
  };
}

function audits(batches: OutgoingRecord[][]) {
  return batches.flat().filter((r) => r.topic === Topics.consoleAudit.name).map((r) => decodeConsoleAudit(r as never));
}

const log = { info: jest.fn(), warn: jest.fn() };

describe('ConsoleActions', () => {
  it('redrives the chosen dead letters through the shared redrive, with its audit record in the same batch', async () => {
    const [a, b, c] = [deadLetterEntry(1), deadLetterEntry(2), deadLetterEntry(3)];
    const ports = fakePorts([a!, b!, c!]);
    const outcome = await new ConsoleActions(ports, log, () => NOW).redrive(operator, [a!.rowId!, c!.rowId!, 'gone']);
    expect(outcome).toEqual({ redriven: [a!.rowId, c!.rowId], notWaiting: ['gone'] });
    expect(ports.sent).toHaveLength(1);
    expect(ports.sent[0]!.map((r) => r.topic)).toEqual(['webhooks.raw.credas', 'webhooks.deadletter', 'webhooks.raw.credas', 'webhooks.deadletter', 'console.audit.v1']);
    expect(audits(ports.sent)).toEqual([
      expect.objectContaining({ actor: 'olga', role: 'operator', action: 'redrive', outcome: 'ok', target: { kind: 'dead-letter', ids: [a!.rowId, c!.rowId] }, detail: '2 redriven to webhooks.raw.credas; 1 not waiting', at: NOW.toISOString() }),
    ]);
  });

  it('refuses (and audits) a redrive of nothing, or of dead letters no longer waiting, and sends nothing else', async () => {
    const ports = fakePorts([deadLetterEntry(1)]);
    const actions = new ConsoleActions(ports, log, () => NOW);
    await expect(actions.redrive(operator, [])).rejects.toThrow(ActionRefused);
    await expect(actions.redrive(operator, ['not-there'])).rejects.toThrow(/None of these dead letters is waiting/);
    expect(ports.sent.flat().every((r) => r.topic === Topics.consoleAudit.name)).toBe(true);
    expect(audits(ports.sent).map((a) => [a.action, a.outcome])).toEqual([['redrive', 'refused'], ['redrive', 'refused']]);
  });

  it('says a redrive failed when Kafka refused it (the audit of the failure is best effort) and rethrows', async () => {
    const ports = fakePorts([deadLetterEntry(1)], true);
    await expect(new ConsoleActions(ports, log, () => NOW).redrive(operator, [deadLetterEntry(1).rowId!])).rejects.toThrow('down');
    expect(log.warn).toHaveBeenCalledWith(expect.objectContaining({ action: 'redrive' }), expect.stringContaining('not written'));
  });

  it('asks for a Credas re-fetch with the command npm run credas:refetch sends, audited in the same batch', async () => {
    const ports = fakePorts([]);
    const outcome = await new ConsoleActions(ports, log, () => NOW).refetch(operator, 'credas:9afe8b16-aaaa');
    const [command, audit] = ports.sent[0]!;
    expect(decodeRefetchCommand(command as never)).toEqual({ type: 'refetch', commandId: outcome.commandId, processId: '9afe8b16-aaaa', entityId: null, requestedAt: NOW.toISOString() });
    expect(command!.key).toBe('credas:9afe8b16-aaaa');
    expect(decodeConsoleAudit(audit as never)).toMatchObject({ action: 'credas.refetch', outcome: 'ok', target: { kind: 'process', ids: ['credas:9afe8b16-aaaa'] }, detail: `command ${outcome.commandId}` });
  });

  it.each(['authvia:bp-1', 'credas:../x', 'credas:'])('refuses to re-fetch %s', async (key) => {
    const ports = fakePorts([]);
    await expect(new ConsoleActions(ports, log, () => NOW).refetch(operator, key)).rejects.toThrow(ActionRefused);
    expect(audits(ports.sent).map((a) => a.outcome)).toEqual(['refused']);
  });

  it('writes other audit entries (unmask, login) as they come, a page target by default', () => {
    const record = auditRecord({ user: 'vic', role: 'viewer', action: 'login.refused', target: 'vic', targetKind: 'session', outcome: 'refused', detail: 'wrong password' }, NOW, '0193a0c4-1111-4000-8000-000000000009');
    expect(decodeConsoleAudit(record as never)).toEqual({ actionId: '0193a0c4-1111-4000-8000-000000000009', at: NOW.toISOString(), actor: 'vic', role: 'viewer', action: 'login.refused', target: { kind: 'session', ids: ['vic'] }, outcome: 'refused', detail: 'wrong password' });
    expect(decodeConsoleAudit(auditRecord({ user: 'olga', role: 'operator', action: 'unmask', target: 'dead letters' }, NOW) as never)).toMatchObject({ target: { kind: 'page', ids: ['dead letters'] }, outcome: 'ok' });
    expect(() => auditRecord({ user: 'x', role: 'viewer', action: 'drop', target: 'y' }, NOW)).toThrow(/unknown action/);
  });

  it('reads a Credas process id from a process key', () => {
    expect(credasProcessId('credas:abc-1')).toBe('abc-1');
    expect(credasProcessId('cellosign:1')).toBeNull();
  });
});
