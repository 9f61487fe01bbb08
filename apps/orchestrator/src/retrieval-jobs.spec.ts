import { EventTypes, Topics } from '@hookbus/contracts';
import type { ConsumedRecord } from '@hookbus/kafka';
import { checkIdsOf, planRecord, type RetrievalJob } from './retrieval-jobs';

function checkRecord(kind: 'monitoring' | 'status-update'): ConsumedRecord {
  const event = { specversion: '1.0', id: `ev-${kind}`, type: EventTypes.checkUpdate, source: '/webhooks/x', receiptid: 'r-1', provider: 'credas', data: { entityId: 'e-1', provider: 'credas', kind, original: {} } };
  return { topic: Topics.checks.name, partition: 0, offset: '7', key: Buffer.from('e-1'), value: Buffer.from(JSON.stringify(event)), headers: {} } as unknown as ConsumedRecord;
}

describe('planRecord for check webhooks', () => {
  it.each(['monitoring', 'status-update'] as const)('%s → a refresh of the entity, triggered by the event', (kind) => {
    expect(planRecord(checkRecord(kind))).toEqual([{ refresh: { entityId: 'e-1', trigger: { kind, eventId: `ev-${kind}`, receiptId: 'r-1' }, origin: expect.anything() } }]);
  });
});

describe('checkIdsOf', () => {
  const job = (kind: RetrievalJob['trigger']['kind'], merged?: string[]): RetrievalJob =>
    ({ processKey: 'credas:p', processId: 'p', entityIdHint: null, force: true, trigger: { kind, eventId: 'ev', receiptId: 'r' }, attempt: 1, dueAt: 0, origin: {} as ConsumedRecord, mergedCheckIds: merged }) as RetrievalJob;

  it.each<[RetrievalJob['trigger']['kind'], string[] | undefined, string[]]>([
    ['monitoring', undefined, ['ev']],
    ['status-update', ['b'], ['ev', 'b']],
    ['completed', undefined, []],
    ['refetch', ['b'], ['b']],
  ])('%s merged %p → %p', (kind, merged, expected) => {
    expect(checkIdsOf(job(kind, merged))).toEqual(expected);
  });
});
