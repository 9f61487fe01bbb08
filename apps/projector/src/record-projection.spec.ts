import { createHash } from 'node:crypto';
import { EventTypes, InvalidRecordError, STAGES, Topics, type ProcessStatusEvent } from '@hookbus/contracts';
// The wire's header names, for assertions on what was written (production code reads them through the codecs).
import { DeadLetterHeaders, QuarantineHeaders, RawHeaders } from '../../../libs/contracts/src/record-headers';
import type { ConsumedRecord } from '@hookbus/kafka';
import { applyProcessEvent, overdueNotice } from '@hookbus/tracking';
import type { TransitionEntry } from './projection-rows';
import { PROJECTED_TOPICS, projectRecord, transitionEntry } from './record-projection';

const RECEIPT = '0194ff6b-1234-7abc-8def-0123456789ab';

function record(topic: string, value: Buffer | string | null, headers: Record<string, string> = {}, key: string | null = 'k', offset = '7'): ConsumedRecord {
  return { topic, partition: 0, offset, key: key === null ? null : Buffer.from(key), value: typeof value === 'string' ? Buffer.from(value) : value, headers, timestamp: '1739500000000' };
}

function rawHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return {
    [RawHeaders.receiptId]: RECEIPT,
    [RawHeaders.receivedAt]: '2025-02-14T10:30:00.000Z',
    [RawHeaders.sourceId]: 'octapush-sms',
    [RawHeaders.provider]: 'octapush',
    [RawHeaders.kind]: 'sms',
    [RawHeaders.method]: 'GET',
    [RawHeaders.path]: '/webhooks/octapush-sms/delivered',
    [RawHeaders.query]: 'phone=447700900123',
    [RawHeaders.requestHeaders]: JSON.stringify({ 'user-agent': 'x', Authorization: 'Bearer s3cret', webhookauth: 'nope' }),
    ...extra,
  };
}

function cloudEvent(type: string, data: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ specversion: '1.0', id: 'ev-1', type, source: '/webhooks/x', subject: 'credas:P1', time: '2025-02-14T10:30:00Z', datacontenttype: 'application/json', provider: 'credas', receiptid: RECEIPT, data, ...extra });
}

/** An Authvia process status event with an expiry (the only processes that go overdue have one). */
function authviaStatus(status: string, expiresAt: string): ProcessStatusEvent {
  return {
    specversion: '1.0', id: `ps-${status}`, type: EventTypes.processStatus, source: '/webhooks/authvia', subject: 'authvia:bp-1',
    time: '2025-02-14T10:00:00Z', datacontenttype: 'application/json', provider: 'authvia', receiptid: RECEIPT,
    data: { processKey: 'authvia:bp-1', processId: 'bp-1', provider: 'authvia', status, final: false, version: 1, expiresAt, providerStatus: { code: status, text: null }, original: {} },
  } as ProcessStatusEvent;
}

describe('projectRecord', () => {
  it('archives a raw webhook byte for byte with its request facts, without secret headers', () => {
    const body = Buffer.from([0xff, 0x00, 0x7b]);
    const { receipts } = projectRecord(record(Topics.raw.octapush.name, body, rawHeaders(), '447700900123'));
    expect(receipts).toHaveLength(1);
    const r = receipts![0]!;
    expect(r.body.equals(body)).toBe(true);
    expect(r).toMatchObject({ receiptId: RECEIPT, sourceId: 'octapush-sms', provider: 'octapush', method: 'GET', entityKey: '447700900123', quarantined: false, query: 'phone=447700900123' });
    expect(JSON.parse(r.headers)).toEqual({ 'user-agent': 'x' });
  });

  it('archives an empty GET webhook as an empty body', () => {
    expect(projectRecord(record(Topics.raw.octapush.name, null, rawHeaders())).receipts![0]!.body.length).toBe(0);
  });

  it('marks quarantined requests with the refusal', () => {
    const headers = rawHeaders({ [QuarantineHeaders.status]: '415', [QuarantineHeaders.reason]: 'unsupported content type', [QuarantineHeaders.truncated]: 'true' });
    delete headers[RawHeaders.receiptId];
    const r = projectRecord(record(Topics.quarantine.name, 'x', headers, RECEIPT)).receipts![0]!;
    expect(r).toMatchObject({ receiptId: RECEIPT, quarantined: true, refusedStatus: 415, refusedReason: 'unsupported content type', bodyTruncated: true, entityKey: null });
  });

  it.each([
    ['a receipt id that is not uuid v7', { [RawHeaders.receiptId]: '0194ff6b-1234-4abc-8def-0123456789ab' }],
    ['no source id', { [RawHeaders.sourceId]: '' }],
  ])('refuses a raw record with %s', (_what, extra) => {
    expect(() => projectRecord(record(Topics.raw.octapush.name, 'x', rawHeaders(extra)))).toThrow(InvalidRecordError);
  });

  it('projects a process status event with the identifiers support looks up', () => {
    const { events } = projectRecord(record(Topics.processes.name, cloudEvent('hookbus.process.status', { processKey: 'credas:P1', processId: 'P1', entityId: 'E1', status: 'completed' })));
    expect(events![0]).toMatchObject({ eventId: 'ev-1', processKey: 'credas:P1', processId: 'P1', entityId: 'E1', receiptId: RECEIPT, receivedAtMs: 0x0194ff6b1234, time: '2025-02-14T10:30:00Z' });
  });

  it.each<[string, string | undefined, string | null, string]>([
    ['its subject', 'credas:P1', 'other', 'credas:P1'],
    ['the record key when it has no subject', undefined, 'E1', 'E1'],
    ['nothing when it has neither', undefined, null, ''],
  ])('stores an event under %s', (_what, subject, key, expected) => {
    const { events } = projectRecord(record(Topics.checks.name, cloudEvent('hookbus.check.update', { entityId: 'E1' }, { subject }), {}, key));
    expect(events![0]!.subject).toBe(expected);
  });

  it('partitions an event without a receipt by the record timestamp, never by provider time', () => {
    const { events } = projectRecord(record(Topics.checks.name, cloudEvent('hookbus.check.update', { entityId: 'E1' }, { receiptid: '', time: '1999-01-01T00:00:00' })));
    expect(events![0]).toMatchObject({ receivedAtMs: 1739500000000, receiptId: null, time: '1999-01-01T00:00:00Z' });
  });

  it('turns a transition into an event and a transition row', () => {
    const data = { kind: 'communication', key: 'octapush:sms:447700900123', provider: 'octapush', from: 'sent', to: 'delivered', final: true, requiresAction: false, seq: 2, causedBy: 'ev-0' };
    const p = projectRecord(record(Topics.transitions.name, cloudEvent('hookbus.transition', data, { subject: data.key })));
    expect(p.transitions).toEqual([{ kind: 'communication', key: data.key, seq: 2, entry: 'transition', provider: 'octapush', fromStatus: 'sent', toStatus: 'delivered', final: true, requiresAction: false, reason: null, causedBy: 'ev-0', eventId: 'ev-1', at: '2025-02-14T10:30:00Z' }]);
    expect(p.events).toHaveLength(1);
  });

  it("tells the tracker's overdue notice from the transition whose seq it carries", () => {
    const { state, transitions } = applyProcessEvent(null, authviaStatus('in_progress', '2025-02-15T10:00:00Z'));
    const notice = overdueNotice(state!, new Date('2025-02-15T11:00:00Z'))!;
    const rowOf = (data: object, id: string) =>
      projectRecord(record(Topics.transitions.name, cloudEvent('hookbus.transition', { ...data }, { id, subject: notice.key }))).transitions![0]!;
    const transition = rowOf(transitions[0]!, 'tr-1');
    const overdue = rowOf(notice, 'tr-overdue');
    expect(overdue.seq).toBe(transition.seq);
    expect(transition).toMatchObject({ entry: 'transition', fromStatus: null, toStatus: 'in_progress' });
    expect(overdue).toMatchObject({ entry: 'overdue', fromStatus: 'in_progress', toStatus: 'in_progress', requiresAction: true, reason: 'overdue', causedBy: notice.causedBy });
  });

  it.each<[string, string | null, string | null, string, TransitionEntry]>([
    ['an overdue notice', 'overdue', 'in_progress', 'in_progress', 'overdue'],
    ['a status change', null, 'created', 'in_progress', 'transition'],
    ['a status change with a reason', 'expired', 'in_progress', 'expired', 'transition'],
    ['a change that calls itself overdue but moves', 'overdue', 'in_progress', 'expired', 'transition'],
    ['the same status for another reason', 'refresh', 'sent', 'sent', 'transition'],
  ])('%s is a %s row', (_what, reason, from, to, expected) => {
    expect(transitionEntry(reason, from, to)).toBe(expected);
  });

  it('stores an inline report PDF once, in credas_results, after checking its digest', () => {
    const pdf = Buffer.from('%PDF-1.7 test');
    const sha256 = createHash('sha256').update(pdf).digest('hex');
    const data = { processId: 'P1', entityId: 'E1', details: { a: 1 }, activeChecks: [{ id: 1 }], report: { pdf: pdf.toString('base64'), sha256, bytes: pdf.length }, retrievedAt: '2025-02-14T11:00:00Z' };
    const p = projectRecord(record(Topics.results.name, cloudEvent('hookbus.credas.results', data)));
    expect(p.credasResults![0]).toMatchObject({ processId: 'P1', processKey: 'credas:P1', reportSha256: sha256, reportBytes: pdf.length, reportRef: null });
    expect(p.credasResults![0]!.reportPdf!.equals(pdf)).toBe(true);
    expect(JSON.parse(p.events![0]!.data).report).toEqual({ sha256, bytes: pdf.length, storedIn: 'credas_results.report_pdf' });
  });

  it('refuses a report whose bytes do not match the announced digest', () => {
    const data = { processId: 'P1', report: { pdf: Buffer.from('x').toString('base64'), sha256: '00' }, retrievedAt: '2025-02-14T11:00:00Z' };
    expect(() => projectRecord(record(Topics.results.name, cloudEvent('hookbus.credas.results', data)))).toThrow(InvalidRecordError);
  });

  it.each([
    ['pdfBase64 (an alias the projector once read, never in the contract)', { pdfBase64: Buffer.from('%PDF').toString('base64') }],
    ['content', { content: Buffer.from('%PDF').toString('base64') }],
    ['a reference instead of the PDF', { reference: 'https://example.test/report.pdf' }],
    ['nothing', {}],
  ])('refuses a report with %s in place of report.pdf (the contract carries the PDF inline only)', (_what, report) => {
    const data = { processId: 'P1', report, retrievedAt: '2025-02-14T11:00:00Z' };
    expect(() => projectRecord(record(Topics.results.name, cloudEvent('hookbus.credas.results', data)))).toThrow(/report carries no inline PDF/);
  });

  it.each([
    ['credas:P1:7:email', 'email'],
    ['octapush:viber:token:with:colons', 'viber'],
    ['octapush:sms:m1', 'sms'],
    ['not-a-communication-id', 'unknown'],
  ])('a communication state without its channel takes it from the contract\'s reading of %s (%s)', (key, channel) => {
    const state = { kind: 'communication', key, provider: 'octapush', status: 'sent', final: false, seq: 1, updatedAt: '2025-02-14T10:30:00Z' };
    const row = projectRecord(record(Topics.communicationState.name, JSON.stringify(state), {}, key, '7')).communications![0]!;
    expect(row.channel).toBe(channel);
  });

  it('reads a state tolerantly and keeps all of it, and ignores tombstones', () => {
    const state = { kind: 'process', key: 'authvia:B1', provider: 'authvia', processId: 'B1', status: 'completed', final: true, providerStatus: { code: 'resolved', text: null }, version: 3, entityIds: ['E1'], entityId: 'E1', seq: 2, updatedAt: '2025-02-14T10:30:00.123456Z', newField: true };
    const row = projectRecord(record(Topics.processState.name, JSON.stringify(state), {}, 'authvia:B1', '42')).processes![0]!;
    expect(row).toMatchObject({ processKey: 'authvia:B1', version: 3, seq: 2, stateOffset: '42', entityIds: '["E1"]' });
    expect(JSON.parse(row.state)).toEqual(state);
    expect(projectRecord(record(Topics.processState.name, null))).toEqual({});
    expect(projectRecord(record(Topics.communicationState.name, null))).toEqual({});
  });

  it('names one dead letter by its stage and origin, whatever time it failed', () => {
    const headers = (failedAt: string) => ({
      'hookbus-receipt-id': RECEIPT,
      [DeadLetterHeaders.stage]: 'normalizer',
      [DeadLetterHeaders.errorCode]: 'normalizer.raw_missing_headers',
      [DeadLetterHeaders.error]: 'bad',
      [DeadLetterHeaders.originalTopic]: 'webhooks.raw.credas',
      [DeadLetterHeaders.originalPartition]: '2',
      [DeadLetterHeaders.originalOffset]: '99',
      [DeadLetterHeaders.attempts]: '1',
      [DeadLetterHeaders.failedAt]: failedAt,
    });
    const a = projectRecord(record(Topics.deadLetter.name, 'x', headers('2025-02-14T10:30:00Z'))).deadLetters![0]!;
    const b = projectRecord(record(Topics.deadLetter.name, 'x', headers('2025-02-15T10:30:00Z'))).deadLetters![0]!;
    expect(a.id).toBe(b.id);
    expect(a).toMatchObject({ stage: 'normalizer', topic: 'webhooks.raw.credas', partition: 2, offset: '99', errorCode: 'normalizer.raw_missing_headers' });
    expect(JSON.parse(a.headers)).toEqual({ 'hookbus-receipt-id': RECEIPT });
  });

  it('reads a redrive marker as the redrive of the dead letter with the same stage and origin', () => {
    const origin = {
      [DeadLetterHeaders.stage]: 'normalizer',
      [DeadLetterHeaders.originalTopic]: 'webhooks.raw.credas',
      [DeadLetterHeaders.originalPartition]: '2',
      [DeadLetterHeaders.originalOffset]: '99',
    };
    const failure = projectRecord(record(Topics.deadLetter.name, 'x', { ...origin, [DeadLetterHeaders.failedAt]: '2025-02-14T10:30:00Z' })).deadLetters![0]!;
    const marker = projectRecord(
      record(Topics.deadLetter.name, null, { ...origin, [DeadLetterHeaders.redriveOf]: '1:42', [DeadLetterHeaders.redrivenAt]: '2025-02-16T08:00:00.000Z' }),
    );
    expect(marker).toEqual({ redrives: [{ id: failure.id, redrivenAt: '2025-02-16T08:00:00.000Z' }] });
  });

  it('reads a console audit record as one console_audit row keyed by its actionId', () => {
    const audit = { actionId: '0193a0c4-1111-4000-8000-000000000001', at: '2026-12-01T06:30:00Z', actor: 'operator', role: 'operator', action: 'credas.refetch', target: { kind: 'process', ids: ['credas:P1'] }, outcome: 'ok', detail: 'command c-1' };
    expect(projectRecord(record(Topics.consoleAudit.name, JSON.stringify(audit), {}, audit.actionId))).toEqual({
      consoleAudit: [{ actionId: audit.actionId, at: '2026-12-01T06:30:00.000Z', actor: 'operator', role: 'operator', action: 'credas.refetch', targetKind: 'process', targetIds: ['credas:P1'], outcome: 'ok', detail: 'command c-1' }],
    });
    expect(() => projectRecord(record(Topics.consoleAudit.name, JSON.stringify({ ...audit, action: 'drop' }), {}, audit.actionId))).toThrow(InvalidRecordError);
  });

  it('refuses a record on a topic it does not read', () => {
    expect(() => projectRecord(record('elsewhere', 'x'))).toThrow(InvalidRecordError);
  });
});

describe('the projector subscribes to what it projects', () => {
  it('STAGES.projector.inputs (the subscription) are the topics projectRecord dispatches, in the same order', () => {
    expect([...STAGES.projector.inputs]).toEqual([...PROJECTED_TOPICS]);
  });
});
