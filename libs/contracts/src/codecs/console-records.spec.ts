import fc from 'fast-check';
import { InvalidRecordError } from '../errors';
import { CONSOLE_AUDIT_ACTIONS, CONSOLE_AUDIT_LIMITS, CONSOLE_AUDIT_OUTCOMES, CONSOLE_AUDIT_ROLES, CONSOLE_AUDIT_TARGET_KINDS } from '../schemas/console-audit.schemas';
import { validateRecord } from '../schemas/event-validator';
import { Topics } from '../topics';
import { decodeConsoleAudit, encodeConsoleAudit, type ConsoleAuditRecord } from './console-audit.codec';
import type { EncodedRecord, RecordMessage } from './kafka-record';

function consumed(record: EncodedRecord): RecordMessage {
  return { topic: record.topic, key: record.key === null ? null : Buffer.from(record.key), value: record.value, headers: { ...record.headers } };
}

function withValue(value: unknown): RecordMessage {
  return { topic: Topics.consoleAudit.name, key: '0193a0c4-1111-4000-8000-000000000001', value: Buffer.from(JSON.stringify(value)), headers: {} };
}

const REDRIVE: ConsoleAuditRecord = {
  actionId: '0193a0c4-1111-4000-8000-000000000001',
  at: '2026-12-01T06:30:00.000Z',
  actor: 'operator',
  role: 'operator',
  action: 'redrive',
  target: { kind: 'dead-letter', ids: ['a1b2', 'c3d4'] },
  outcome: 'ok',
  detail: '2 redriven',
};

const auditRecord: fc.Arbitrary<ConsoleAuditRecord> = fc.record({
  actionId: fc.uuid(),
  at: fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }).map((d) => d.toISOString()),
  actor: fc.string({ minLength: 1, maxLength: CONSOLE_AUDIT_LIMITS.actor }),
  role: fc.constantFrom(...CONSOLE_AUDIT_ROLES),
  action: fc.constantFrom(...CONSOLE_AUDIT_ACTIONS),
  target: fc.record({ kind: fc.constantFrom(...CONSOLE_AUDIT_TARGET_KINDS), ids: fc.array(fc.string({ minLength: 1, maxLength: 60 }), { maxLength: 20 }) }),
  outcome: fc.constantFrom(...CONSOLE_AUDIT_OUTCOMES),
  detail: fc.string({ maxLength: 200 }),
});

describe('console audit codec (console.audit.v1)', () => {
  it('writes the record keyed by its actionId, the fields in schema order, no headers', () => {
    const record = encodeConsoleAudit(REDRIVE);
    expect(record.topic).toBe('console.audit.v1');
    expect(record.key).toBe(REDRIVE.actionId);
    expect(record.headers).toEqual({});
    expect(record.value!.toString()).toBe(
      '{"actionId":"0193a0c4-1111-4000-8000-000000000001","at":"2026-12-01T06:30:00.000Z","actor":"operator","role":"operator","action":"redrive","target":{"kind":"dead-letter","ids":["a1b2","c3d4"]},"outcome":"ok","detail":"2 redriven"}',
    );
    expect(validateRecord(record).violations).toEqual([]);
  });

  it('round-trips every record it writes, and what it writes meets the contract', () => {
    fc.assert(
      fc.property(auditRecord, (audit) => {
        const encoded = encodeConsoleAudit(audit);
        const decoded = decodeConsoleAudit(consumed(encoded));
        expect(decoded).toEqual({ ...audit, actionId: audit.actionId.toLowerCase() });
        expect(validateRecord(encoded).violations).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps to the bounds when writing: cuts actor, detail and ids, lists at most the limit of targets and says how many there were', () => {
    const ids = Array.from({ length: CONSOLE_AUDIT_LIMITS.targetIds + 3 }, (_, i) => `id-${i}`);
    const encoded = encodeConsoleAudit({ ...REDRIVE, actor: 'a'.repeat(500), detail: 'd'.repeat(3000), target: { kind: 'dead-letter', ids: [...ids, '', 'x'.repeat(2000)] } });
    const decoded = decodeConsoleAudit(consumed(encoded));
    expect(decoded.actor).toHaveLength(CONSOLE_AUDIT_LIMITS.actor);
    expect(decoded.detail).toHaveLength(CONSOLE_AUDIT_LIMITS.detail);
    expect(decoded.target.ids).toHaveLength(CONSOLE_AUDIT_LIMITS.targetIds);
    expect(encodeConsoleAudit({ ...REDRIVE, target: { kind: 'dead-letter', ids } }).value!.toString()).toContain(`2 redriven (${ids.length} targets, the first ${CONSOLE_AUDIT_LIMITS.targetIds} listed)`);
    expect(validateRecord(encoded).violations).toEqual([]);
  });

  it.each([
    ['an actionId that is not a uuid', { actionId: 'nope' }, /actionId is not a uuid/],
    ['a time that is not UTC', { at: '2026-12-01T07:30:00+01:00' }, /at is not an ISO 8601 UTC time/],
  ])('refuses to write %s', (_what, change, message) => {
    expect(() => encodeConsoleAudit({ ...REDRIVE, ...change })).toThrow(message);
  });

  it.each([
    ['no value', null, 'projector.empty_record', /no value/],
    ['bytes that are not JSON', '{', 'projector.invalid_json', /not JSON/],
    ['a list', [], 'projector.invalid_audit_record', /not an object/],
    ['no actionId', { ...REDRIVE, actionId: undefined }, 'projector.invalid_audit_record', /actionId must be a uuid/],
    ['a local time', { ...REDRIVE, at: '2026-12-01 06:30' }, 'projector.invalid_audit_record', /at must be/],
    ['an empty actor', { ...REDRIVE, actor: '' }, 'projector.invalid_audit_record', /actor must be 1–200/],
    ['an unknown role', { ...REDRIVE, role: 'admin' }, 'projector.invalid_audit_record', /role must be one of viewer, operator, none/],
    ['an unknown action', { ...REDRIVE, action: 'drop-table' }, 'projector.invalid_audit_record', /action must be one of/],
    ['an unknown outcome', { ...REDRIVE, outcome: 'maybe' }, 'projector.invalid_audit_record', /outcome must be one of/],
    ['no target', { ...REDRIVE, target: null }, 'projector.invalid_audit_record', /target must be an object/],
    ['a target kind that is none', { ...REDRIVE, target: { kind: 'table', ids: [] } }, 'projector.invalid_audit_record', /target.kind must be one of/],
    ['target ids that are not a list', { ...REDRIVE, target: { kind: 'process', ids: 'credas:1' } }, 'projector.invalid_audit_record', /target.ids must be a list/],
    ['an empty target id', { ...REDRIVE, target: { kind: 'process', ids: [''] } }, 'projector.invalid_audit_record', /target.ids\[\] must be/],
    ['a detail that is not text', { ...REDRIVE, detail: 2 }, 'projector.invalid_audit_record', /detail must be a string/],
  ])('refuses to read %s (%s)', (_what, value, code, message) => {
    const message_ = value === null ? { ...withValue(0), value: null } : typeof value === 'string' ? { ...withValue(0), value: Buffer.from(value) } : withValue(value);
    let thrown: unknown;
    try {
      decodeConsoleAudit(message_);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidRecordError);
    expect((thrown as InvalidRecordError).code).toBe(code);
    expect((thrown as Error).message).toMatch(message);
  });
});
