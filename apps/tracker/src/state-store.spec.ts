import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Kafka } from 'kafkajs';
import type { StateCodec } from '@hookbus/tracking';
import { PartitionedStateStore } from './state-store';

interface Toy {
  readonly key: string;
  readonly n: number;
  readonly due: number | null;
}

const codec: StateCodec<Toy> = { serialize: (s) => JSON.stringify({ key: s.key, n: s.n, due: s.due }), parse: (v) => JSON.parse(v.toString()) as Toy };
// These specs never reach a broker: only restore() talks to Kafka, and the integration specs cover it.
const kafka = new Kafka({ brokers: ['127.0.0.1:1'], retry: { retries: 0 } });

describe('tracker state store (SQLite file + LRU cache)', () => {
  let dir: string;
  const stores: Array<PartitionedStateStore<Toy>> = [];
  const open = (cacheSize = 3) => {
    const store = new PartitionedStateStore(kafka, { dir, topic: 'state.toy', codec, partitionCount: 4, cacheSize, dueOf: (s) => s.due });
    stores.push(store);
    return store;
  };
  const commit = (store: PartitionedStateStore<Toy>, states: Toy[], partition: number, offset?: string) =>
    store.commit(states.map((state) => ({ key: state.key, partition, state, json: codec.serialize(state) })), offset === undefined ? new Map() : new Map([[partition, offset]]));

  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'hookbus-store-spec-'))));
  afterEach(() => {
    for (const store of stores.splice(0)) store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads back what was committed, from the cache or from disk, as a Map would — whatever the order of puts, gets and evictions', () => {
    const op = fc.oneof(
      fc.record({ type: fc.constant('put' as const), key: fc.integer({ min: 0, max: 30 }), n: fc.integer(), partition: fc.integer({ min: 0, max: 3 }) }),
      fc.record({ type: fc.constant('get' as const), key: fc.integer({ min: 0, max: 30 }), partition: fc.integer({ min: 0, max: 3 }) }),
      fc.record({ type: fc.constant('reopen' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), fc.integer({ min: 1, max: 8 }), (ops, cacheSize) => {
        rmSync(dir, { recursive: true, force: true });
        let store = open(cacheSize);
        const model = new Map<string, { partition: number; state: Toy }>();
        for (const o of ops) {
          if (o.type === 'reopen') {
            store.close();
            store = open(cacheSize);
            continue;
          }
          const key = `k${o.key}`;
          // A key lives on one partition (the key decides it): the model keeps the first partition a key was put on.
          const partition = model.get(key)?.partition ?? o.partition;
          if (o.type === 'put') {
            const state = { key, n: o.n, due: null };
            commit(store, [state], partition);
            model.set(key, { partition, state });
          } else {
            expect(store.get(key, partition)).toEqual(model.get(key)?.state);
          }
          expect(store.cachedSize).toBeLessThanOrEqual(cacheSize);
        }
        for (const [key, { partition, state }] of model) {
          expect(store.get(key, partition)).toEqual(state);
          expect(store.serialized(key, partition)).toBe(codec.serialize(state));
        }
        store.close();
      }),
      { numRuns: 60 },
    );
  });

  it('finds a state evicted from the cache on disk (a late event for a final entity)', () => {
    const store = open(2);
    commit(store, [{ key: 'old', n: 1, due: null }], 0);
    commit(store, [{ key: 'a', n: 2, due: null }, { key: 'b', n: 3, due: null }, { key: 'c', n: 4, due: null }], 0);
    expect(store.cachedSize).toBe(2);
    expect(store.get('old', 0)).toEqual({ key: 'old', n: 1, due: null });
    expect(store.get('old', 1)).toBeUndefined();
  });

  it('records the changelog offset per partition and keeps it across a reopen', () => {
    const store = open();
    commit(store, [{ key: 'a', n: 1, due: null }], 2, '41');
    commit(store, [{ key: 'b', n: 1, due: null }], 3, '7');
    commit(store, [], 2, '58');
    expect(store.checkpoint(2)).toBe('58');
    store.close();
    const reopened = open();
    expect(reopened.checkpoint(2)).toBe('58');
    expect(reopened.checkpoint(3)).toBe('7');
    expect(reopened.checkpoint(0)).toBeUndefined();
    expect(reopened.get('a', 2)).toEqual({ key: 'a', n: 1, due: null });
  });

  it('a failed write leaves neither states nor offset behind (so the changelog replays them)', () => {
    const store = open();
    commit(store, [{ key: 'a', n: 1, due: null }], 0, '10');
    const broken = { key: 'b', partition: 0, state: { key: 'b', n: 2, due: null }, json: undefined as unknown as string };
    expect(() => store.commit([{ key: 'c', partition: 0, state: { key: 'c', n: 3, due: null }, json: '{"key":"c","n":3,"due":null}' }, broken], new Map([[0, '20']]))).toThrow();
    store.markStale([0]);
    expect(store.checkpoint(0)).toBe('10');
    expect(store.get('c', 0)).toBeUndefined();
  });

  it('answers due states of one partition from the index, and forgets a state that is no longer due', () => {
    const store = open();
    commit(store, [{ key: 'early', n: 1, due: 100 }, { key: 'late', n: 1, due: 500 }, { key: 'never', n: 1, due: null }], 1);
    commit(store, [{ key: 'other', n: 1, due: 50 }], 2);
    expect([...store.due(1, 200)].map(([key]) => key)).toEqual(['early']);
    commit(store, [{ key: 'early', n: 2, due: null }], 1);
    expect([...store.due(1, 1000)].map(([key]) => key)).toEqual(['late']);
  });

  it('keeps a settled state out of the due index until it changes, across a reopen; a stale settle changes nothing', () => {
    let store = open();
    commit(store, [{ key: 'expired', n: 1, due: 100 }, { key: 'moved', n: 1, due: 150 }], 1);
    // 'moved' got a new due time after the tick saw 150: settling the old one must not hide the new one.
    commit(store, [{ key: 'moved', n: 2, due: 180 }], 1);
    store.settleDue([{ key: 'expired', due: 100 }, { key: 'moved', due: 150 }]);
    expect([...store.due(1, 1000)].map(([key]) => key)).toEqual(['moved']);
    store.close();
    store = open();
    expect([...store.due(1, 1000)].map(([key]) => key)).toEqual(['moved']);
    expect(store.get('expired', 1)).toEqual({ key: 'expired', n: 1, due: 100 });
    // The same state again (a changelog record read twice at a restore), or a change that keeps the announced due
    // time (a hint, a non-final status), leaves it settled; a new due time does not.
    commit(store, [{ key: 'expired', n: 1, due: 100 }], 1);
    commit(store, [{ key: 'expired', n: 5, due: 100 }], 1);
    commit(store, [{ key: 'expired', n: 6, due: 100 }], 1);
    expect([...store.due(1, 1000)].map(([key]) => key)).toEqual(['moved']);
    commit(store, [{ key: 'expired', n: 2, due: 300 }], 1);
    expect([...store.due(1, 1000)].map(([key]) => key)).toEqual(['moved', 'expired']);
  });
});
