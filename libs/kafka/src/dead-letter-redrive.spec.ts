import { Topics, deadLetterRowId, decodeRefetchCommand, encodeDeadLetter, isRedriveMarker, readDeadLetter, type DeadLetter } from '@hookbus/contracts';
import { isCredasId, refetchCommand, refetchRecord } from './credas-refetch-request';
import { notYetRedriven, redriveDeadLetters, redriveMarker, redriveRecords, selectDeadLetters, toEntry, type DeadLetterEntry } from './dead-letter-redrive';
import type { ConsumedRecord, OutgoingRecord } from './records';

const FAILED_AT = new Date('2026-11-30T10:00:00.000Z');

function deadLetter(partition: number, offset: number, over: Partial<DeadLetter> & { originalOffset?: string } = {}): ConsumedRecord {
  const encoded = encodeDeadLetter({
    original: { topic: 'webhooks.raw.credas', partition: 2, offset: over.originalOffset ?? String(100 + offset), key: 'proc-1', value: Buffer.from('{"ProcessId":"proc-1"}'), headers: { 'hookbus-receipt-id': 'r-1' } },
    stage: 'normalizer',
    errorCode: 'providers.malformed_json',
    errorClass: 'InvalidRecordError',
    attempts: 1,
    failedAt: FAILED_AT,
    ...over,
  });
  return { topic: encoded.topic, partition, offset: String(offset), key: encoded.key === null ? null : Buffer.from(encoded.key), value: encoded.value, headers: encoded.headers, timestamp: String(FAILED_AT.getTime() + offset) };
}

function consumed(record: OutgoingRecord, partition: number, offset: number): ConsumedRecord {
  const key = record.key === null ? null : Buffer.isBuffer(record.key) ? record.key : Buffer.from(record.key);
  const value = record.value === null ? null : Buffer.isBuffer(record.value) ? record.value : Buffer.from(record.value);
  return { topic: record.topic, partition, offset: String(offset), key, value, headers: record.headers ?? {}, timestamp: '0' };
}

function entry(record: ConsumedRecord): DeadLetterEntry {
  return toEntry(record)!;
}

describe('dead-letter redrive (shared by npm run deadletters and the console)', () => {
  it('lists dead letters, with their position and their row id, and drops the ones a later marker redrove', () => {
    const first = deadLetter(0, 1);
    const second = deadLetter(0, 2, { stage: 'tracker', errorCode: 'tracking.unknown_machine' });
    const marker = consumed(redriveMarker(entry(first), new Date('2026-11-30T11:00:00.000Z')), 0, 3);
    const entries = notYetRedriven([first, second, marker]);
    expect(entries.map((e) => [e.id, e.stage, e.code])).toEqual([['0:2', 'tracker', 'tracking.unknown_machine']]);
    expect(entries[0]!.rowId).toBe(deadLetterRowId(second));
    expect(entries[0]!.origin).toBe('webhooks.raw.credas/2@102');
  });

  it('gives a dead letter lacking its origin headers no row id, but still lists it', () => {
    const record = { ...deadLetter(1, 5), headers: { 'hookbus-dlq-stage': 'normalizer' } };
    expect(entry(record)).toMatchObject({ id: '1:5', rowId: null, stage: 'normalizer' });
  });

  it.each([
    ['positions', { ids: ['0:2'] }, ['0:2']],
    ['row ids', { rowIds: ['ROW:0:3'] }, ['0:3']],
    ['a stage', { stage: 'tracker' }, ['0:2', '0:3']],
    ['a stage and a code', { stage: 'tracker', code: 'x.y' }, ['0:3']],
    ['a code that matches nothing', { code: 'nothing.here' }, []],
    ['ids within a stage that excludes them', { ids: ['0:1'], stage: 'tracker' }, []],
    ['nothing: every entry', {}, ['0:1', '0:2', '0:3']],
  ])('selects by %s', (_what, selection, expected) => {
    const records = [deadLetter(0, 1), deadLetter(0, 2, { stage: 'tracker' }), deadLetter(0, 3, { stage: 'tracker', errorCode: 'x.y' })];
    const entries = records.map(entry);
    const rowIds = (selection as { rowIds?: string[] }).rowIds?.map((id) => (id === 'ROW:0:3' ? entries[2]!.rowId! : id));
    expect(selectDeadLetters(entries, { ...selection, ...(rowIds ? { rowIds } : {}) }).map((e) => e.id)).toEqual(expected);
  });

  it('chooses only the newest of the dead letters a row id names (one failure dead-lettered twice), so the original is sent once', () => {
    const older = deadLetter(1, 4, { originalOffset: '77' });
    const newer = deadLetter(1, 9, { originalOffset: '77' });
    expect(deadLetterRowId(older)).toBe(deadLetterRowId(newer));
    expect(selectDeadLetters([older, newer].map(entry), { rowIds: [deadLetterRowId(older)] }).map((e) => e.id)).toEqual(['1:9']);
  });

  it('sends each original to its topic with its key, value and headers, then its marker, in one batch', async () => {
    const dl = deadLetter(2, 8);
    const now = new Date('2026-12-01T06:00:00.000Z');
    const sent: OutgoingRecord[][] = [];
    const done = await redriveDeadLetters(async (records) => void sent.push([...records]), [entry(dl)], now);
    expect(done.map((e) => e.id)).toEqual(['2:8']);
    expect(sent).toHaveLength(1);
    const [original, marker] = sent[0]!;
    expect(original).toEqual({ topic: 'webhooks.raw.credas', key: Buffer.from('proc-1'), value: Buffer.from('{"ProcessId":"proc-1"}'), headers: { 'hookbus-receipt-id': 'r-1' } });
    expect(marker!.topic).toBe(Topics.deadLetter.name);
    const markerRecord = consumed(marker!, 2, 9);
    expect(isRedriveMarker(markerRecord)).toBe(true);
    expect(readDeadLetter(markerRecord)).toMatchObject({ redriveOf: '2:8', redrivenAt: now.toISOString() });
    // The projector marks the very row of the dead letter.
    expect(deadLetterRowId(markerRecord)).toBe(deadLetterRowId(dl));
    expect(redriveRecords([entry(dl)], now)).toEqual(sent[0]);
  });

  it('sends nothing for no entries', async () => {
    const send = jest.fn(async () => undefined);
    await expect(redriveDeadLetters(send, [])).resolves.toEqual([]);
    expect(send).not.toHaveBeenCalled();
  });
});

describe('Credas re-fetch request (shared by npm run credas:refetch and the console)', () => {
  it.each([
    ['9afe8b16-2c1d-4f7e-9d1a-0b7c2f1e3a44', true],
    ['A1', true],
    ['', false],
    ['-leading-dash', false],
    ['../x', false],
    ['a b', false],
    ['x'.repeat(65), false],
  ])('%s is a Credas id: %s', (id, ok) => {
    expect(isCredasId(id)).toBe(ok);
  });

  it('writes the command its codec reads back, keyed by the process key', () => {
    const command = refetchCommand('9afe8b16', null, new Date('2026-12-01T06:00:00.000Z'), 'c-1');
    const record = refetchRecord(command);
    expect(record.key).toBe('credas:9afe8b16');
    expect(decodeRefetchCommand(record)).toEqual({ type: 'refetch', commandId: 'c-1', processId: '9afe8b16', entityId: null, requestedAt: '2026-12-01T06:00:00.000Z' });
  });
});
