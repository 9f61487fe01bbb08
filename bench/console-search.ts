import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { ensurePartition, loadTimeline, migrate, type Queryable } from '@hookbus/db';
import { isBenchDatabaseName, recreateDatabase } from './lib/setup';
import { percentile } from './lib/stats';

/**
 * `npm run bench -- --only console-search` (issue 20): the console's search with a million events in the read model.
 * Fills a database of its own with generate_series (1,000,000 events, 500,000 receipts, 100,000 processes, 200,000
 * communications, their transitions and 40,000 Credas results), ANALYZEs, then times `loadTimeline` — what the
 * console's /search and `npm run show` run — for every kind of key, keys that exist and keys that do not, against the
 * 200 ms bound of the issue. Needs Postgres only (no broker). `--search-reuse` keeps a database already filled (to
 * compare query shapes or indexes: pending migrations are applied, the data stays).
 */
export const SEARCH_BOUND_MS = 200;
const EVENTS = 1_000_000;
const PROCESSES = 100_000;
const CREDAS_COMMUNICATIONS = 100_000;
const OCTAPUSH_COMMUNICATIONS = 100_000;
const ENTITIES = PROCESSES + CREDAS_COMMUNICATIONS + OCTAPUSH_COMMUNICATIONS;
const LOOKUPS = 50;
const MISSING = 10;
const BASE_MS = Date.UTC(2026, 8, 1);
/** 90 days of events. */
const STEP_MS = Math.floor((90 * 24 * 3600 * 1000) / EVENTS);

export interface SearchKindFigures {
  readonly kind: string;
  readonly lookups: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly missingP50Ms: number;
  readonly missingMaxMs: number;
  /** Rows the found lookups returned on average (all lists together). */
  readonly meanRows: number;
}

export interface SearchRun {
  readonly database: string;
  readonly rows: Record<string, number>;
  readonly fillSec: number;
  readonly kinds: SearchKindFigures[];
  readonly explains: Array<{ kind: string; ms: number; sql: string; plan: string }>;
  /** 1-minute load average before and after the lookups: on a shared 2-core machine, waits for a core show in every figure. */
  readonly loadAverage: { start: number; end: number };
}

/** The search part's own database (never npm start's): it is dropped and recreated. */
export function isSearchBenchDatabaseName(name: string): boolean {
  return isBenchDatabaseName(name) || /^hookbus_(?!faults|test)[a-z0-9_]*bench_search$/.test(name);
}

export function searchBenchDatabaseUrl(env: NodeJS.ProcessEnv): string {
  const url = env.BENCH_SEARCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/hookbus_bench_search';
  const parsed = new URL(url);
  const name = decodeURIComponent(parsed.pathname.slice(1));
  if (!['127.0.0.1', 'localhost'].includes(parsed.hostname)) throw new Error(`BENCH_SEARCH_DATABASE_URL must be on 127.0.0.1 (got ${parsed.hostname})`);
  if (!isSearchBenchDatabaseName(name)) throw new Error(`BENCH_SEARCH_DATABASE_URL must name a database hookbus_bench_search or hookbus_<name>_bench_search, which the bench drops and recreates (got ${name})`);
  return url;
}

/**
 * Entity t of ENTITIES: [0, 100k) processes (half Credas, 30 % Authvia, 20 % Cellosign, whose session ids hold ':'),
 * [100k, 200k) two Credas SMS per Credas process, [200k, 300k) Octapush SMS by phone number (one in five with a
 * campaign part). Events come in runs of about 3.3 per entity, 7.7 s apart over 90 days; a receipt per two events,
 * none for a tenth of them (the tracker's transitions).
 */
const ENTITY_SQL = `
  CREATE UNLOGGED TABLE bench_entities AS
  SELECT t, provider, subject, process_key, process_id, entity_id, coalesce(process_id, split_part(subject, ':', 3)) AS entity_key, updated_at FROM (
    SELECT t,
      CASE WHEN t < ${PROCESSES} THEN (CASE WHEN t % 10 < 5 THEN 'credas' WHEN t % 10 < 8 THEN 'authvia' ELSE 'cellosign' END)
           WHEN t < ${PROCESSES + CREDAS_COMMUNICATIONS} THEN 'credas' ELSE 'octapush' END AS provider,
      CASE WHEN t < ${PROCESSES} THEN (CASE WHEN t % 10 < 5 THEN 'credas:' || md5('p' || t)::uuid WHEN t % 10 < 8 THEN 'authvia:bp-' || t ELSE 'cellosign:S-' || t || ':' || (t % 7) END)
           WHEN t < ${PROCESSES + CREDAS_COMMUNICATIONS} THEN 'credas:' || md5('p' || c.p)::uuid || ':' || ((t - ${PROCESSES}) % 2 + 1) || ':sms'
           ELSE 'octapush:sms:+4477' || lpad((t - ${PROCESSES + CREDAS_COMMUNICATIONS})::text, 8, '0') || CASE WHEN t % 5 = 0 THEN ':campaign-' || (t % 13) ELSE '' END END AS subject,
      CASE WHEN t < ${PROCESSES} THEN (CASE WHEN t % 10 < 5 THEN 'credas:' || md5('p' || t)::uuid WHEN t % 10 < 8 THEN 'authvia:bp-' || t ELSE 'cellosign:S-' || t || ':' || (t % 7) END)
           WHEN t < ${PROCESSES + CREDAS_COMMUNICATIONS} THEN 'credas:' || md5('p' || c.p)::uuid END AS process_key,
      CASE WHEN t < ${PROCESSES} THEN (CASE WHEN t % 10 < 5 THEN md5('p' || t)::uuid::text WHEN t % 10 < 8 THEN 'bp-' || t ELSE 'S-' || t || ':' || (t % 7) END)
           WHEN t < ${PROCESSES + CREDAS_COMMUNICATIONS} THEN md5('p' || c.p)::uuid::text END AS process_id,
      CASE WHEN t < ${PROCESSES} AND t % 10 < 5 THEN 'E-' || t WHEN t >= ${PROCESSES} AND t < ${PROCESSES + CREDAS_COMMUNICATIONS} THEN 'E-' || c.p END AS entity_id,
      to_timestamp((${BASE_MS}::bigint + ((t + 1) * ${EVENTS}::bigint / ${ENTITIES}) * ${STEP_MS}) / 1000.0) AS updated_at
    FROM generate_series(0, ${ENTITIES - 1}) AS t,
    LATERAL (SELECT ((t - ${PROCESSES}) / 2 / 5) * 10 + ((t - ${PROCESSES}) / 2) % 5 AS p) AS c
  ) e`;

/** A uuid v7 minted at `ms` (what the gateway's receipt ids are: the receipts table is partitioned by them). */
const UUID_V7_SQL = `CREATE FUNCTION pg_temp.v7(ms bigint, salt text) RETURNS uuid LANGUAGE sql IMMUTABLE AS
  $$ SELECT (lpad(to_hex(ms), 12, '0') || '7' || substr(md5(salt), 1, 3) || '8' || substr(md5(salt), 4, 15))::uuid $$`;

const FILL_SQL: ReadonlyArray<[string, string]> = [
  ['entities', ENTITY_SQL],
  ['entities index', `CREATE INDEX ON bench_entities (t)`],
  [
    'processes',
    `INSERT INTO hookbus.processes (process_key, provider, process_id, status, provider_status, final, version, entity_id, entity_ids, seq, updated_at, state, state_offset)
     SELECT process_key, provider, process_id, CASE WHEN t % 3 = 0 THEN 'in_progress' ELSE 'completed' END, '{"code":"3","text":"Completed"}', t % 3 <> 0, 1,
            entity_id, CASE WHEN entity_id IS NULL THEN '[]'::jsonb ELSE jsonb_build_array(entity_id) END, 2, updated_at, '{}', 0
       FROM bench_entities WHERE t < ${PROCESSES}`,
  ],
  [
    'communications',
    `INSERT INTO hookbus.communications (communication_id, provider, channel, status, provider_status, final, process_key, process_id, entity_id, seq, updated_at, state, state_offset)
     SELECT subject, provider, 'sms', 'delivered', '{"code":"DELIVRD"}', true, process_key, process_id, entity_id, 2, updated_at, '{}', 0
       FROM bench_entities WHERE t >= ${PROCESSES}`,
  ],
  [
    'receipts',
    `INSERT INTO hookbus.receipts (receipt_id, received_at, source_id, provider, kind, entity_key, method, path, query, headers, content_type, body, body_bytes)
     SELECT pg_temp.v7(${BASE_MS} + 2 * r * ${STEP_MS}::bigint, 'r' || r), to_timestamp((${BASE_MS} + 2 * r * ${STEP_MS}::bigint) / 1000.0),
            x.provider || '-source', x.provider, NULL, x.entity_key, 'POST', '/webhooks/' || x.provider || '-source', '', '{"content-type":"application/json"}',
            'application/json', convert_to('{"status":"delivered","n":' || r || '}', 'UTF8'), 30
       FROM generate_series(0, ${EVENTS / 2 - 1}) AS r JOIN bench_entities x ON x.t = (2 * r * ${ENTITIES}::bigint / ${EVENTS})`,
  ],
  [
    'events',
    `INSERT INTO hookbus.events (event_id, received_at, topic, type, source, subject, time, provider, receipt_id, process_key, process_id, entity_id, data)
     SELECT 'ev-' || e, to_timestamp((${BASE_MS} + e * ${STEP_MS}::bigint) / 1000.0), 'events.bench.v1',
            CASE WHEN e % 10 = 9 THEN 'hookbus.transition' ELSE 'hookbus.status' END, '/webhooks/' || x.provider,
            x.subject, to_timestamp((${BASE_MS} + e * ${STEP_MS}::bigint) / 1000.0), x.provider,
            CASE WHEN e % 10 = 9 THEN NULL ELSE pg_temp.v7(${BASE_MS} + 2 * (e / 2) * ${STEP_MS}::bigint, 'r' || (e / 2)) END,
            x.process_key, x.process_id, x.entity_id, jsonb_build_object('status', 'delivered', 'final', e % 2 = 0)
       FROM generate_series(0, ${EVENTS - 1}) AS e JOIN bench_entities x ON x.t = (e * ${ENTITIES}::bigint / ${EVENTS})`,
  ],
  [
    'process transitions',
    `INSERT INTO hookbus.process_transitions (process_key, seq, provider, from_status, to_status, final, requires_action, event_id, at)
     SELECT process_key, s, provider, CASE WHEN s = 1 THEN NULL ELSE 'in_progress' END, CASE WHEN s = 1 THEN 'in_progress' ELSE 'completed' END,
            s > 1, false, 'tr-' || t || '-' || s, updated_at - (3 - s) * interval '1 second'
       FROM bench_entities, generate_series(1, 2) AS s WHERE t < ${PROCESSES}`,
  ],
  [
    'communication transitions',
    `INSERT INTO hookbus.communication_transitions (communication_id, seq, provider, from_status, to_status, final, requires_action, event_id, at)
     SELECT subject, s, provider, CASE WHEN s = 1 THEN NULL ELSE 'sent' END, CASE WHEN s = 1 THEN 'sent' ELSE 'delivered' END,
            s > 1, false, 'tr-' || t || '-' || s, updated_at - (3 - s) * interval '1 second'
       FROM bench_entities, generate_series(1, 2) AS s WHERE t >= ${PROCESSES}`,
  ],
  [
    'credas results',
    `INSERT INTO hookbus.credas_results (process_id, process_key, entity_id, details, active_checks, report_ref, report_sha256, report_bytes, retrieved_at, event_id)
     SELECT process_id, process_key, entity_id, '{}', '[{"check":"id"}]', 's3://bench/' || t, md5('r' || t), 40000, updated_at + interval '1 minute', 'res-' || t
       FROM bench_entities WHERE t < ${PROCESSES} AND t % 10 < 5 AND t % 5 < 4`,
  ],
  ['drop entities', `DROP TABLE bench_entities`],
];

async function fill(client: Client, log: (line: string) => void): Promise<void> {
  for (let month = BASE_MS; month < BASE_MS + 100 * 24 * 3600 * 1000; month += 28 * 24 * 3600 * 1000) {
    await ensurePartition(client, 'receipts', month);
    await ensurePartition(client, 'events', month);
  }
  await client.query(UUID_V7_SQL);
  for (const [what, sql] of FILL_SQL) {
    const began = performance.now();
    const result = await client.query(sql);
    log(`console-search: ${what}${result.rowCount ? ` (${result.rowCount.toLocaleString('en')} rows)` : ''} in ${((performance.now() - began) / 1000).toFixed(1)} s`);
  }
  await client.query('ANALYZE');
}

async function counts(client: Client): Promise<Record<string, number>> {
  const tables = ['events', 'receipts', 'processes', 'communications', 'process_transitions', 'communication_transitions', 'credas_results'];
  const rows: Record<string, number> = {};
  for (const table of tables) rows[table] = Number((await client.query(`SELECT count(*) AS n FROM hookbus.${table}`)).rows[0].n);
  return rows;
}

/** Keys to look up, per kind: LOOKUPS that exist (random rows), MISSING that do not. */
async function sampleKeys(client: Client): Promise<Array<{ kind: string; found: string[]; missing: string[] }>> {
  const pick = async (sql: string) => (await client.query(`${sql} ORDER BY random() LIMIT ${LOOKUPS}`)).rows.map((r) => String(r.k));
  const uuid = () => randomUUID();
  const many = (make: (i: number) => string) => Array.from({ length: MISSING }, (_, i) => make(i));
  return [
    { kind: 'processKey', found: await pick(`SELECT process_key AS k FROM hookbus.processes`), missing: many(() => `credas:${uuid()}`) },
    { kind: 'communicationId', found: await pick(`SELECT communication_id AS k FROM hookbus.communications`), missing: many(() => `credas:${uuid()}:1:sms`) },
    { kind: 'entity id', found: await pick(`SELECT entity_id AS k FROM hookbus.processes WHERE entity_id IS NOT NULL`), missing: many((i) => `E-missing-${i}`) },
    { kind: 'receipt id', found: await pick(`SELECT receipt_id AS k FROM hookbus.receipts`), missing: many(() => uuid()) },
    { kind: 'Credas ProcessId', found: await pick(`SELECT process_id AS k FROM hookbus.processes WHERE provider = 'credas'`), missing: many(() => uuid()) },
    { kind: 'Authvia business process id', found: await pick(`SELECT process_id AS k FROM hookbus.processes WHERE provider = 'authvia'`), missing: many((i) => `bp-missing-${i}`) },
    { kind: 'Cellosign session id', found: await pick(`SELECT process_id AS k FROM hookbus.processes WHERE provider = 'cellosign'`), missing: many((i) => `S-missing-${i}:1`) },
    {
      kind: 'phone number',
      found: await pick(`SELECT split_part(communication_id, ':', 3) AS k FROM hookbus.communications WHERE provider = 'octapush'`),
      missing: many((i) => `+4479999${String(i).padStart(5, '0')}`),
    },
  ];
}

/** A Queryable that remembers how long each statement of one lookup took (to EXPLAIN the slowest). */
class TimedQueries implements Queryable {
  statements: Array<{ ms: number; sql: string; values: unknown[] }> = [];
  constructor(private readonly client: Client) {}
  async query<R extends Record<string, unknown> = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[] }> {
    const began = performance.now();
    const result = await this.client.query(text, values);
    this.statements.push({ ms: performance.now() - began, sql: text, values: values ?? [] });
    return result as unknown as { rows: R[] };
  }
}

async function timeLookups(client: Client, keys: readonly string[]): Promise<{ ms: number[]; rows: number[]; slowest: TimedQueries | null; slowestMs: number }> {
  const ms: number[] = [];
  const rows: number[] = [];
  let slowest: TimedQueries | null = null;
  let slowestMs = -1;
  for (const key of keys) {
    const timed = new TimedQueries(client);
    const began = performance.now();
    const timeline = await loadTimeline(timed, key);
    const took = performance.now() - began;
    ms.push(took);
    rows.push(timeline.processes.length + timeline.communications.length + timeline.receipts.length + timeline.events.length + timeline.transitions.length + timeline.results.length);
    if (took > slowestMs) [slowest, slowestMs] = [timed, took];
  }
  return { ms, rows, slowest, slowestMs };
}

export async function consoleSearch(options: { databaseUrl: string; reuse: boolean; log: (line: string) => void }): Promise<SearchRun> {
  const { databaseUrl, log } = options;
  const database = new URL(databaseUrl).pathname.slice(1);
  let fillSec = 0;
  const probe = new Client({ connectionString: databaseUrl });
  const filled = options.reuse && (await probe.connect().then(
    async () => Number((await probe.query(`SELECT count(*) AS n FROM hookbus.events`).catch(() => ({ rows: [{ n: 0 }] }))).rows[0].n) >= EVENTS,
    () => false,
  ));
  await probe.end().catch(() => undefined);
  if (filled) {
    const applied = await migrate(databaseUrl);
    log(`console-search: reusing ${database}${applied.length ? ` (applied ${applied.join(', ')})` : ''}`);
  } else {
    await recreateDatabase(databaseUrl, isSearchBenchDatabaseName);
    await migrate(databaseUrl);
  }
  const client = new Client({ connectionString: databaseUrl, application_name: 'hookbus-bench-search', options: '-c TimeZone=UTC' });
  await client.connect();
  try {
    if (!filled) {
      const began = performance.now();
      await fill(client, log);
      fillSec = (performance.now() - began) / 1000;
      log(`console-search: filled ${database} in ${fillSec.toFixed(0)} s`);
    } else await client.query('ANALYZE');
    const rows = await counts(client);
    log(`console-search: ${Object.entries(rows).map(([t, n]) => `${t} ${n.toLocaleString('en')}`).join(', ')}`);
    const kinds = await sampleKeys(client);
    const loadStart = loadavg()[0]!;
    // Warm-up: the first statements of a connection plan and read the catalog; a console keeps its connections.
    await timeLookups(client, kinds.map((k) => k.found[0]!).filter(Boolean));
    const figures: SearchKindFigures[] = [];
    const explains: SearchRun['explains'] = [];
    for (const { kind, found, missing } of kinds) {
      const hit = await timeLookups(client, found);
      const miss = await timeLookups(client, missing);
      const figure: SearchKindFigures = {
        kind,
        lookups: found.length + missing.length,
        p50Ms: percentile(hit.ms, 50),
        p99Ms: percentile(hit.ms, 99),
        maxMs: Math.max(...hit.ms),
        missingP50Ms: percentile(miss.ms, 50),
        missingMaxMs: Math.max(...miss.ms),
        meanRows: hit.rows.reduce((s, n) => s + n, 0) / Math.max(1, hit.rows.length),
      };
      figures.push(figure);
      log(
        `console-search: ${kind.padEnd(28)} p50 ${figure.p50Ms.toFixed(1)} ms  p99 ${figure.p99Ms.toFixed(1)} ms  max ${figure.maxMs.toFixed(1)} ms  ` +
          `(not found: p50 ${figure.missingP50Ms.toFixed(1)}, max ${figure.missingMaxMs.toFixed(1)} ms)  ${figure.meanRows.toFixed(1)} rows  ` +
          `${Math.max(figure.p99Ms, figure.missingMaxMs) < SEARCH_BOUND_MS ? 'PASS' : 'FAIL'} (< ${SEARCH_BOUND_MS} ms)`,
      );
      // The slowest statement of the slowest lookup, explained: where the time goes when a kind is slow.
      const slow = [hit, miss].sort((a, b) => b.slowestMs - a.slowestMs)[0]!;
      if (slow.slowest && (slow.slowestMs >= SEARCH_BOUND_MS / 4 || process.argv.includes('--explain'))) {
        const statement = [...slow.slowest.statements].sort((a, b) => b.ms - a.ms)[0]!;
        const plan = (await client.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${statement.sql}`, statement.values)).rows.map((r) => r['QUERY PLAN']).join('\n');
        explains.push({ kind, ms: statement.ms, sql: statement.sql.replace(/\s+/g, ' ').trim(), plan });
        log(`console-search: ${kind}: slowest statement ${statement.ms.toFixed(1)} ms of a ${slow.slowestMs.toFixed(1)} ms lookup:\n${plan}`);
      }
    }
    const loadAverage = { start: loadStart, end: loadavg()[0]! };
    log(`console-search: 1-minute load average ${loadAverage.start.toFixed(2)} before the lookups, ${loadAverage.end.toFixed(2)} after`);
    return { database, rows, fillSec, kinds: figures, explains, loadAverage };
  } finally {
    await client.end();
  }
}

/** The BENCHMARKS.md section of one run. */
export function consoleSearchSection(run: SearchRun): string {
  const lines = [
    '## Console search (issue 20): one timeline with a million events',
    '',
    `\`npm run bench -- --only console-search\` (bench/console-search.ts): ${Object.entries(run.rows).map(([t, n]) => `${n.toLocaleString('en')} ${t.replace(/_/g, ' ')}`).join(', ')}` +
      ` in a database of its own, ANALYZEd; \`loadTimeline\` (what the console's search and \`npm run show\` run) over one connection, ${LOOKUPS} keys that exist and ${MISSING} that do not per kind, time measured around the whole lookup (every statement, client on the same machine). Bound: ${SEARCH_BOUND_MS} ms. 1-minute load average ${run.loadAverage.start.toFixed(2)} → ${run.loadAverage.end.toFixed(2)} (cores: ${cpus().length}).`,
    '',
    '| key kind | p50 ms | p99 ms | max ms | not found p50 / max ms | rows per timeline | < 200 ms |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...run.kinds.map(
      (k) =>
        `| ${k.kind} | ${k.p50Ms.toFixed(1)} | ${k.p99Ms.toFixed(1)} | ${k.maxMs.toFixed(1)} | ${k.missingP50Ms.toFixed(1)} / ${k.missingMaxMs.toFixed(1)} | ${k.meanRows.toFixed(1)} | ${Math.max(k.p99Ms, k.missingMaxMs) < SEARCH_BOUND_MS ? 'PASS' : '**FAIL**'} |`,
    ),
    '',
  ];
  return lines.join('\n');
}
