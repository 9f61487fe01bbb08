/**
 * `node dist/bench/store-micro.js [--states N] [--engine sqlite|lmdb]`: the measurement behind the tracker's disk
 * store (issue 17). Writes N tracker-sized states through each embedded engine the way the tracker does (batches in
 * one write transaction with the changelog offset, plus a due-time index entry for a fifth of them), then reads a
 * random sample back, and prints put and get rates, peak resident size and disk used.
 *
 * Only `better-sqlite3` is a dependency of the project; `lmdb` is measured when it is installed (e.g. in a scratch
 * folder on NODE_PATH), and reported as absent otherwise.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BATCH = 500;

function numberArg(flag: string, fallback: number): number {
  const i = process.argv.indexOf(flag);
  const value = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** A communication state as the tracker serializes it (about 450 bytes). */
function stateJson(key: string, i: number): string {
  return JSON.stringify({
    kind: 'communication',
    key,
    provider: 'octapush',
    channel: 'sms',
    communicationId: key.slice(9),
    processKey: null,
    entityId: null,
    status: i % 3 === 0 ? 'delivered' : 'sent',
    final: i % 3 === 0,
    providerStatus: { code: '2', description: 'Delivered to handset' },
    statusEventId: randomBytes(16).toString('hex'),
    statusEventTime: new Date(1_700_000_000_000 + i).toISOString(),
    seq: 2,
    updatedAt: new Date(1_700_000_000_000 + i).toISOString(),
    recipient: null,
    attempts: 1,
  });
}

function keyOf(i: number): string {
  return `octapush:${i.toString(16).padStart(8, '0')}-${randomBytes(12).toString('hex')}`;
}

interface Engine {
  readonly name: string;
  writeBatch(rows: ReadonlyArray<{ key: string; value: string; due: number | null }>, offset: number): void;
  get(key: string): string | undefined;
  close(): void;
}

function sqliteEngine(dir: string): Engine | null {
  let Database: typeof import('better-sqlite3');
  try {
    Database = require('better-sqlite3') as typeof import('better-sqlite3');
  } catch {
    return null;
  }
  const db = new Database(join(dir, 'states.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -16000');
  db.exec(`CREATE TABLE states (key TEXT PRIMARY KEY, partition INTEGER NOT NULL, value TEXT NOT NULL, due INTEGER) WITHOUT ROWID;
           CREATE INDEX states_due ON states (partition, due) WHERE due IS NOT NULL;
           CREATE TABLE offsets (partition INTEGER PRIMARY KEY, next_offset INTEGER NOT NULL);`);
  const put = db.prepare('INSERT INTO states (key, partition, value, due) VALUES (?, 0, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, due = excluded.due');
  const offset = db.prepare('INSERT INTO offsets VALUES (0, ?) ON CONFLICT (partition) DO UPDATE SET next_offset = excluded.next_offset');
  const get = db.prepare<[string], { value: string }>('SELECT value FROM states WHERE key = ?');
  const write = db.transaction((rows: ReadonlyArray<{ key: string; value: string; due: number | null }>, next: number) => {
    for (const row of rows) put.run(row.key, row.value, row.due);
    offset.run(next);
  });
  return { name: 'better-sqlite3 12 (WAL, synchronous=NORMAL, 16 MB page cache)', writeBatch: (rows, next) => write(rows, next), get: (key) => get.get(key)?.value, close: () => db.close() };
}

function lmdbEngine(dir: string): Engine | null {
  type Lmdb = {
    open(options: object): {
      openDB(options: object): LmdbDb;
      transactionSync<T>(fn: () => T): T;
      close(): void;
    } & LmdbDb;
  };
  type LmdbDb = { putSync(key: unknown, value: unknown): void; get(key: unknown): unknown };
  let lmdb: Lmdb;
  try {
    lmdb = require('lmdb') as Lmdb;
  } catch {
    return null;
  }
  const root = lmdb.open({ path: join(dir, 'states.lmdb'), noSync: false });
  const states = root.openDB({ name: 'states', encoding: 'string' });
  const due = root.openDB({ name: 'due', dupSort: true, encoding: 'string' });
  const offsets = root.openDB({ name: 'offsets' });
  return {
    name: 'lmdb 3 (sync commits, string values)',
    writeBatch: (rows, next) =>
      root.transactionSync(() => {
        for (const row of rows) {
          states.putSync(row.key, row.value);
          if (row.due !== null) due.putSync([0, row.due], row.key);
        }
        offsets.putSync(0, next);
      }),
    get: (key) => states.get(key) as string | undefined,
    close: () => root.close(),
  };
}

function diskBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? diskBytes(path) : statSync(path).blocks * 512;
  }
  return total;
}

function measure(make: (dir: string) => Engine | null, states: number): void {
  const dir = mkdtempSync(join(tmpdir(), 'hookbus-store-micro-'));
  try {
    const engine = make(dir);
    if (!engine) {
      process.stdout.write(`${make.name}: not installed, skipped\n`);
      return;
    }
    let peakRss = process.memoryUsage().rss;
    const sample = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));
    const keys: string[] = [];
    const started = process.hrtime.bigint();
    for (let base = 0; base < states; base += BATCH) {
      const rows = [];
      for (let i = base; i < Math.min(states, base + BATCH); i++) {
        const key = keyOf(i);
        if (i % 97 === 0) keys.push(key);
        rows.push({ key, value: stateJson(key, i), due: i % 5 === 0 ? 1_700_000_000_000 + i : null });
      }
      engine.writeBatch(rows, base + rows.length);
      if ((base / BATCH) % 100 === 0) sample();
    }
    const putSec = Number(process.hrtime.bigint() - started) / 1e9;
    sample();
    const gets = Math.min(200_000, keys.length * 4);
    const getStarted = process.hrtime.bigint();
    let found = 0;
    for (let i = 0; i < gets; i++) if (engine.get(keys[(i * 7919) % keys.length]!) !== undefined) found++;
    const getSec = Number(process.hrtime.bigint() - getStarted) / 1e9;
    sample();
    engine.close();
    const disk = diskBytes(dir);
    process.stdout.write(
      [
        `${engine.name}: ${states.toLocaleString('en')} states`,
        `  put ${Math.round(states / putSec).toLocaleString('en')}/s (${BATCH} per transaction, each with its offset)`,
        `  get ${Math.round(gets / getSec).toLocaleString('en')}/s random (${found}/${gets} found)`,
        `  peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MB, disk ${(disk / 2 ** 20).toFixed(0)} MB (${(disk / states).toFixed(0)} B per state)`,
        '',
      ].join('\n'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const states = numberArg('--states', 1_000_000);
const engineArg = process.argv[process.argv.indexOf('--engine') + 1];
const engines = { sqlite: sqliteEngine, lmdb: lmdbEngine };
const chosen = engineArg === 'sqlite' || engineArg === 'lmdb' ? [engines[engineArg]] : [sqliteEngine, lmdbEngine];
for (const make of chosen) measure(make, states);
