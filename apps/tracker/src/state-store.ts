import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { DEFAULT_MAX_BYTES_PER_PARTITION, DEFAULT_MAX_FETCH_BYTES, fetchTopicOffsetsSettled } from '@hookbus/kafka';
import { decodeStateRecord, encodeStateTombstone } from '@hookbus/contracts';
import type { StateCodec } from '@hookbus/tracking';

/** Keys of this prefix on a state topic are restore sentinels, never state; consumers of state topics skip them. */
export const SENTINEL_KEY_PREFIX = '__hookbus_restore__/';

export function isSentinelKey(key: Buffer | string | null): boolean {
  if (key === null) return false;
  return key.toString().startsWith(SENTINEL_KEY_PREFIX);
}

export interface StateStoreOptions<S> {
  /** Folder of the store's SQLite file (one file per state topic). */
  readonly dir: string;
  readonly topic: string;
  readonly codec: StateCodec<S>;
  readonly partitionCount: number;
  /** Decoded states kept in memory, least recently used first out. */
  readonly cacheSize: number;
  /** The state's due time (microseconds since the epoch) for the due index, or null when it has none. */
  readonly dueOf?: (state: S) => number | null;
  readonly onUnreadable?: (key: string, partition: number, offset: string, error: unknown) => void;
  /** After every restore that read the changelog: what it read (for the restore metric and log). */
  readonly onRestored?: (report: RestoreReport) => void;
}

/** One state changed by a committed batch. */
export interface CommittedState<S> {
  readonly key: string;
  readonly partition: number;
  readonly state: S;
  /** The state record's value, `codec.serialize(state)`. */
  readonly json: string;
}

/** What one restore did: how many changelog records it read per partition, and from where. */
export interface RestoreReport {
  readonly restored: number;
  readonly millis: number;
  /** Per restored partition: the changelog offset reading started at ('0' for a full restore) and records read. */
  readonly partitions: ReadonlyArray<{ partition: number; from: string; records: number }>;
  /** Why the store on disk was discarded at this restore, if it was. */
  readonly discarded: string | null;
}

interface Cached<S> {
  readonly partition: number;
  readonly state: S;
  readonly json: string;
}

/**
 * The tracker's state of the partitions it owns. The compacted state topic is the source of truth (the changelog);
 * a SQLite file on local disk holds the owned partitions' states, with a small LRU cache of decoded hot states, so
 * memory does not grow with the number of entities.
 *
 * The file records, per partition, the changelog offset it reflects: `commit` writes a batch's states together with
 * the offset its state records got, after the Kafka transaction committed. A crash between the Kafka commit and that
 * write leaves the recorded offset behind, so the next restore replays those records: the changelog repairs the disk.
 * A restore writes a sentinel to each newly owned partition and reads the changelog (committed records only) from the
 * recorded offset — or from the beginning for a partition the file knows nothing of — until its sentinel came back.
 * A file written against another cluster, topic or partition count is discarded at the first restore.
 */
export class PartitionedStateStore<S> {
  readonly topic: string;
  readonly codec: StateCodec<S>;
  private readonly db: Database.Database;
  private readonly cache = new Map<string, Cached<S>>();
  /** Partitions restored in this process and owned since: their file content is current. */
  private readonly live = new Set<number>();
  private readonly counts = new Map<number, number>();
  /** Owned partitions whose file missed a committed batch (a failed disk write): replayed before their next use. */
  private readonly stale = new Set<number>();
  private identityChecked = false;
  private readonly sql: Statements;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: StateStoreOptions<S>,
  ) {
    this.topic = options.topic;
    this.codec = options.codec;
    mkdirSync(options.dir, { recursive: true });
    this.db = new Database(join(options.dir, `${options.topic}.sqlite`));
    // WAL with synchronous=NORMAL survives a process crash; a power cut may lose the last commits, which the
    // changelog replays (the recorded offset is lost with them). The page cache bounds what SQLite holds in memory.
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('cache_size = -16000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS states (key TEXT PRIMARY KEY, partition INTEGER NOT NULL, value TEXT NOT NULL, due INTEGER) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS states_partition ON states (partition);
      CREATE INDEX IF NOT EXISTS states_due ON states (partition, due) WHERE due IS NOT NULL;
      CREATE TABLE IF NOT EXISTS partitions (partition INTEGER PRIMARY KEY, next_offset TEXT, states INTEGER NOT NULL DEFAULT 0);
    `);
    // settled_due: the due time whose overdue notice was announced (settleDue). A file written before it existed
    // gains the column, empty: at worst a notice is repeated once, with its same id.
    if (!(this.db.pragma('table_info(states)') as Array<{ name: string }>).some((column) => column.name === 'settled_due')) this.db.exec('ALTER TABLE states ADD COLUMN settled_due INTEGER');
    this.sql = prepareStatements(this.db);
    for (const row of this.sql.allPartitions.all()) this.counts.set(row.partition, row.states);
  }

  get(key: string, partition: number): S | undefined {
    return this.lookup(key, partition)?.state;
  }

  /** The state's record value as stored (equal states, equal strings), without serializing it again. */
  serialized(key: string, partition: number): string | undefined {
    return this.lookup(key, partition)?.json;
  }

  /** States of `partition` whose due time is at or before `dueBefore` (microseconds), read through the due index. */
  *due(partition: number, dueBefore: number): IterableIterator<[string, S]> {
    // all(), not iterate(): the caller may read other states (another statement) before it finishes.
    for (const row of this.sql.due.all(partition, dueBefore)) {
      const cached = this.cache.get(row.key);
      yield [row.key, cached ? cached.state : this.options.codec.parse(row.value)];
    }
  }

  /** States held on disk for the owned partitions. */
  get size(): number {
    let n = 0;
    for (const partition of this.live) n += this.counts.get(partition) ?? 0;
    return n;
  }

  /** Partition numbers whose state this store holds current (announced to the sticky assigner at a rejoin). */
  owned(): number[] {
    return [...this.live].sort((a, b) => a - b);
  }

  get cachedSize(): number {
    return this.cache.size;
  }

  /** The changelog offset the file reflects for `partition` (the next one to read), if it knows the partition. */
  checkpoint(partition: number): string | undefined {
    return this.sql.partition.get(partition)?.next_offset ?? undefined;
  }

  /**
   * Records the states of a committed Kafka transaction, and per partition the changelog offset the file then
   * reflects (`nextOffsets`: an offset at or before the first state record of the batch that is not yet applied; too
   * low costs a few records read again at restore, never a state lost). Call only after the transaction committed.
   */
  commit(states: ReadonlyArray<CommittedState<S>>, nextOffsets: ReadonlyMap<number, string>): void {
    if (states.length === 0 && nextOffsets.size === 0) return;
    const touched = new Set(nextOffsets.keys());
    this.db.transaction(() => {
      for (const { key, partition, state, json } of states) {
        this.upsert(key, partition, json, this.options.dueOf?.(state) ?? null);
        touched.add(partition);
        this.remember(key, { partition, state, json });
      }
      for (const partition of touched) this.savePartition(partition, nextOffsets.get(partition) ?? this.checkpoint(partition) ?? null);
    })();
  }

  /**
   * Takes announced states out of the due index until their due time changes: an expired process that never
   * completes is announced once, not read again by every overdue tick for the rest of its life (nor remembered in
   * memory). `due` is the index value that was announced: a state whose due time moved since (a new expiry) keeps
   * it; later changes that keep the announced due time (a hint, a non-final status, a record read again at a
   * restore) leave it out of the index (`settled_due`). The mark is local to this file: a store restored from the
   * changelog indexes such states again and announces them once more, with the same notice id (consumers
   * deduplicate by id, as after any replay).
   */
  settleDue(settled: ReadonlyArray<{ readonly key: string; readonly due: number }>): void {
    if (settled.length === 0) return;
    this.db.transaction(() => {
      for (const { key, due } of settled) this.sql.settleDue.run(key, due);
    })();
  }

  /**
   * After a `commit` that threw (disk full, I/O error): the file may lack a batch that Kafka holds. The partitions'
   * cached states are dropped and `repair` replays their changelog tail from the offset the file recorded.
   */
  markStale(partitions: Iterable<number>): void {
    for (const partition of partitions) this.stale.add(partition);
    for (const [key, cached] of this.cache) if (this.stale.has(cached.partition)) this.cache.delete(key);
  }

  /** Brings a partition marked stale up to date from the changelog (throws while the disk still fails). */
  async repair(partition: number): Promise<void> {
    if (!this.stale.has(partition)) return;
    const starts = await this.startOffsets([partition]);
    await this.readUpToSentinels(starts);
    this.stale.delete(partition);
  }

  /**
   * Takes the assignment: partitions no longer owned leave the cache (their file content stays, with its offset, for
   * a tail replay if they come back); partitions kept across the rebalance keep their state (nobody else wrote them
   * meanwhile); newly owned ones are brought up to date from the changelog.
   */
  async restore(partitions: readonly number[]): Promise<RestoreReport> {
    const started = Date.now();
    const owned = new Set(partitions.filter((p) => p < this.options.partitionCount));
    for (const partition of [...this.live]) if (!owned.has(partition)) this.live.delete(partition);
    for (const partition of [...this.stale]) if (!owned.has(partition)) this.stale.delete(partition);
    for (const [key, cached] of this.cache) if (!owned.has(cached.partition)) this.cache.delete(key);
    const wanted = [...owned].filter((p) => !this.live.has(p) || this.stale.has(p));
    if (wanted.length === 0) return { restored: 0, millis: 0, partitions: [], discarded: null };
    const discarded = await this.checkIdentity();
    const starts = await this.startOffsets(wanted);
    const read = await this.readUpToSentinels(starts);
    for (const partition of wanted) {
      this.live.add(partition);
      this.stale.delete(partition);
    }
    const report = wanted.map((partition) => ({ partition, from: starts.get(partition)!, records: read.get(partition) ?? 0 }));
    const result = { restored: report.reduce((n, p) => n + p.records, 0), millis: Date.now() - started, partitions: report, discarded };
    this.options.onRestored?.(result);
    return result;
  }

  close(): void {
    this.cache.clear();
    this.live.clear();
    this.stale.clear();
    if (this.db.open) this.db.close();
  }

  private lookup(key: string, partition: number): Cached<S> | undefined {
    const cached = this.cache.get(key);
    if (cached && cached.partition === partition) {
      // Map order is insertion order: re-inserting makes this the most recently used.
      this.cache.delete(key);
      this.cache.set(key, cached);
      return cached;
    }
    const row = this.sql.get.get(key);
    if (!row || row.partition !== partition) return undefined;
    const found = { partition, state: this.options.codec.parse(row.value), json: row.value };
    this.remember(key, found);
    return found;
  }

  private remember(key: string, entry: Cached<S>): void {
    this.cache.delete(key);
    this.cache.set(key, entry);
    if (this.cache.size > this.options.cacheSize) this.cache.delete(this.cache.keys().next().value!);
  }

  private upsert(key: string, partition: number, json: string, due: number | null): void {
    if (this.sql.insert.run(key, partition, json, due).changes > 0) this.counts.set(partition, (this.counts.get(partition) ?? 0) + 1);
    else this.sql.update.run({ value: json, due, key });
  }

  private remove(key: string, partition: number): void {
    this.cache.delete(key);
    if (this.sql.delete.run(key, partition).changes > 0) this.counts.set(partition, (this.counts.get(partition) ?? 1) - 1);
  }

  private savePartition(partition: number, nextOffset: string | null): void {
    this.sql.savePartition.run(partition, nextOffset, this.counts.get(partition) ?? 0);
  }

  /**
   * A file is only a cache of one changelog: written against another cluster (a fresh broker reusing the volume), or
   * another partition count, its offsets mean nothing there. Returns why it was discarded, or null.
   */
  private async checkIdentity(): Promise<string | null> {
    if (this.identityChecked) return null;
    const admin = this.kafka.admin();
    await admin.connect();
    let clusterId: string;
    try {
      clusterId = (await admin.describeCluster()).clusterId;
    } finally {
      await admin.disconnect();
    }
    const identity = JSON.stringify({ clusterId, topic: this.options.topic, partitions: this.options.partitionCount });
    const recorded = this.sql.meta.get('identity')?.value;
    let discarded: string | null = null;
    if (recorded !== undefined && recorded !== identity) {
      discarded = `store written for ${recorded}, now ${identity}`;
      this.discardAll();
    }
    this.sql.saveMeta.run('identity', identity);
    this.identityChecked = true;
    return discarded;
  }

  private discardAll(): void {
    this.db.exec('DELETE FROM states; DELETE FROM partitions;');
    this.counts.clear();
    this.cache.clear();
  }

  /**
   * Where each partition's replay starts: the recorded offset when it lies within the partition's current offsets,
   * else from the beginning (the partition's rows are dropped first). A recorded offset past the end means the topic
   * was recreated (or the broker lost data): the file cannot be trusted for that partition.
   */
  private async startOffsets(wanted: readonly number[]): Promise<Map<number, string>> {
    const admin = this.kafka.admin();
    await admin.connect();
    let offsets: Array<{ partition: number; low: string; high: string }>;
    try {
      offsets = await fetchTopicOffsetsSettled(admin, this.options.topic);
    } finally {
      await admin.disconnect();
    }
    const starts = new Map<number, string>();
    for (const partition of wanted) {
      const bounds = offsets.find((o) => o.partition === partition);
      const recorded = this.checkpoint(partition);
      const usable = recorded !== undefined && bounds !== undefined && BigInt(recorded) <= BigInt(bounds.high) && BigInt(recorded) >= BigInt(bounds.low);
      if (usable) {
        starts.set(partition, recorded);
        continue;
      }
      this.db.transaction(() => {
        this.sql.deletePartition.run(partition);
        this.counts.set(partition, 0);
        this.savePartition(partition, null);
      })();
      starts.set(partition, bounds?.low ?? '0');
    }
    return starts;
  }

  /** Reads each partition from its start offset until the sentinel written now comes back; returns records read. */
  private async readUpToSentinels(starts: ReadonlyMap<number, string>): Promise<Map<number, number>> {
    const sentinel = `${SENTINEL_KEY_PREFIX}${randomUUID()}`;
    const producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
    try {
      // A null value: a tombstone, so compaction removes sentinels in time.
      await producer.send({ topic: this.options.topic, acks: -1, messages: [...starts.keys()].map((partition) => encodeStateTombstone({ topic: this.options.topic, key: sentinel, partition })) });
    } finally {
      await producer.disconnect();
    }
    const admin = this.kafka.admin();
    await admin.connect();
    let ends: Array<{ partition: number; high: string }>;
    try {
      ends = await fetchTopicOffsetsSettled(admin, this.options.topic);
    } finally {
      await admin.disconnect();
    }
    const groupId = `hookbus-restore-${randomUUID()}`;
    // Fetch sizes as the stages' consumers (see DEFAULT_MAX_BYTES_PER_PARTITION): a restore reads every partition
    // at once, and bigger fetches made it the tracker's memory peak without making it faster.
    const consumer = this.kafka.consumer({
      groupId,
      readUncommitted: false,
      allowAutoTopicCreation: false,
      maxBytesPerPartition: DEFAULT_MAX_BYTES_PER_PARTITION,
      maxBytes: DEFAULT_MAX_FETCH_BYTES,
    });
    const pending = new Set(starts.keys());
    const read = new Map<number, number>();
    await consumer.connect();
    try {
      await new Promise<void>((resolve, reject) => {
        // A crash kafkajs restarts itself (a coordinator not ready on a fresh broker, a broker restarting) is waited
        // out: the consumer rejoins and the seeks below are made again. Only a crash it gives up on fails the restore.
        consumer.on(consumer.events.CRASH, ({ payload }) => {
          if (!payload.restart) reject(payload.error);
        });
        // Each wanted partition from its start offset, every other one from its end: a restore reads only the tail it
        // needs. (Seeking, not committing offsets for the throwaway group first: that would cost a group join.) On
        // every join, not once after run(): a crash restarted between run() and a seek left kafkajs without a group,
        // and its "consumer#run must be called first" escaped as an unhandled rejection that stopped the tracker.
        consumer.on(consumer.events.GROUP_JOIN, () => {
          try {
            for (const { partition, high } of ends) consumer.seek({ topic: this.options.topic, partition, offset: starts.get(partition) ?? high });
          } catch (error) {
            reject(error);
          }
        });
        consumer
          .subscribe({ topics: [this.options.topic], fromBeginning: true })
          .then(() =>
            consumer.run({
              autoCommit: false,
              eachBatch: async ({ batch }) => {
                if (!pending.has(batch.partition)) return;
                // A fetch issued before the seeks took effect starts at the beginning: skip what the file has.
                const from = BigInt(starts.get(batch.partition)!);
                const done = this.applyChangelog(batch.partition, batch.messages.filter((m) => BigInt(m.offset) >= from), sentinel);
                read.set(batch.partition, (read.get(batch.partition) ?? 0) + done.records);
                if (!done.sentinel) return;
                pending.delete(batch.partition);
                if (pending.size === 0) resolve();
              },
            }),
          )
          .catch(reject);
      });
    } finally {
      await consumer.disconnect().catch(() => undefined);
      const cleanup = this.kafka.admin();
      await cleanup.connect();
      await cleanup.deleteGroups([groupId]).catch(() => undefined);
      await cleanup.disconnect();
    }
    return read;
  }

  /** Applies changelog records to the file in one transaction, with the offset they bring the partition to. */
  private applyChangelog(partition: number, messages: readonly KafkaMessage[], sentinel: string): { records: number; sentinel: boolean } {
    let records = 0;
    let reachedSentinel = false;
    let next: string | null = null;
    this.db.transaction(() => {
      for (const message of messages) {
        const record = decodeStateRecord({ topic: this.options.topic, key: message.key, value: message.value });
        const key = record.key ?? '';
        next = (BigInt(message.offset) + 1n).toString();
        if (key === sentinel) {
          reachedSentinel = true;
          break;
        }
        if (isSentinelKey(key) || !key) continue;
        records++;
        if (record.value === null) {
          this.remove(key, partition);
          continue;
        }
        try {
          const json = record.value;
          const state = this.options.codec.parse(json);
          this.cache.delete(key);
          this.upsert(key, partition, json, this.options.dueOf?.(state) ?? null);
        } catch (error) {
          // A state the codec cannot read (written by an older tracker, or damaged) is dropped, not fatal: the next
          // event for the key rebuilds it, and a crash here would stop the whole partition.
          this.remove(key, partition);
          this.options.onUnreadable?.(key, partition, message.offset, error);
        }
      }
      if (next !== null) this.savePartition(partition, next);
    })();
    return { records, sentinel: reachedSentinel };
  }
}

function prepareStatements(db: Database.Database) {
  return {
    get: db.prepare<[string], { partition: number; value: string }>('SELECT partition, value FROM states WHERE key = ?'),
    insert: db.prepare<[string, number, string, number | null]>('INSERT INTO states (key, partition, value, due) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO NOTHING'),
    // A state whose announced due time has not changed stays out of the index, whatever else changed (an entity
    // hint, a non-final status, a changelog record read again at a restore): its notice was already published.
    update: db.prepare<[{ value: string; due: number | null; key: string }]>(
      'UPDATE states SET value = @value, due = CASE WHEN @due IS settled_due THEN NULL ELSE @due END WHERE key = @key',
    ),
    delete: db.prepare<[string, number]>('DELETE FROM states WHERE key = ? AND partition = ?'),
    deletePartition: db.prepare<[number]>('DELETE FROM states WHERE partition = ?'),
    settleDue: db.prepare<[string, number]>('UPDATE states SET due = NULL, settled_due = due WHERE key = ? AND due = ?'),
    due: db.prepare<[number, number], { key: string; value: string }>('SELECT key, value FROM states WHERE partition = ? AND due IS NOT NULL AND due <= ? ORDER BY due'),
    allPartitions: db.prepare<[], { partition: number; next_offset: string | null; states: number }>('SELECT partition, next_offset, states FROM partitions'),
    partition: db.prepare<[number], { next_offset: string | null; states: number }>('SELECT next_offset, states FROM partitions WHERE partition = ?'),
    savePartition: db.prepare<[number, string | null, number]>(
      'INSERT INTO partitions (partition, next_offset, states) VALUES (?, ?, ?) ON CONFLICT (partition) DO UPDATE SET next_offset = excluded.next_offset, states = excluded.states',
    ),
    meta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE name = ?'),
    saveMeta: db.prepare<[string, string]>('INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value'),
  };
}

type Statements = ReturnType<typeof prepareStatements>;
