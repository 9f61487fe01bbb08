/**
 * Monthly partitions of the two growing tables. Receipts are ranged by receipt_id (uuid v7: the first 48 bits are
 * the unix time in ms, and Postgres compares uuids bytewise), events by received_at. Partitions are created on
 * demand for the months rows arrive in, and dropped whole once they end before the retention horizon.
 */
export type PartitionedTable = 'receipts' | 'events';
export const PARTITIONED_TABLES: readonly PartitionedTable[] = ['receipts', 'events'];

/** The subset of pg's Client / PoolClient this module needs. */
export interface Queryable {
  query<R extends Record<string, unknown> = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The time a uuid v7 was minted, in ms; null when the string is not a uuid v7. */
export function uuidV7Millis(id: string): number | null {
  if (!UUID.test(id) || id[14] !== '7') return null;
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

/** The smallest uuid minted at `ms` (any version): the lower bound of a receipt_id range. */
export function uuidFloor(ms: number): string {
  const hex = Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-0000-0000-000000000000`;
}

/** The first instant (UTC) of the month containing `ms`. */
export function monthStart(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

export function nextMonthStart(ms: number): number {
  const d = new Date(monthStart(ms));
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

export function partitionName(table: PartitionedTable, month: number): string {
  const d = new Date(monthStart(month));
  return `${table}_p${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** A row is kept only if its month ends after the horizon: the same rule that drops whole partitions. */
export function isExpired(ms: number, horizonMs: number): boolean {
  return nextMonthStart(ms) <= horizonMs;
}

function bounds(table: PartitionedTable, month: number): [string, string] {
  const from = monthStart(month);
  const to = nextMonthStart(month);
  if (table === 'receipts') return [uuidFloor(from), uuidFloor(to)];
  return [new Date(from).toISOString(), new Date(to).toISOString()];
}

export function createPartitionSql(table: PartitionedTable, month: number): string {
  const [from, to] = bounds(table, month);
  return `CREATE TABLE IF NOT EXISTS hookbus.${partitionName(table, month)} PARTITION OF hookbus.${table} FOR VALUES FROM ('${from}') TO ('${to}')`;
}

/** Creates the month's partition; a concurrent creator winning the race is fine. */
export async function ensurePartition(client: Queryable, table: PartitionedTable, month: number): Promise<void> {
  try {
    await client.query(createPartitionSql(table, month));
  } catch (error) {
    const code = (error as { code?: string }).code;
    // 42P07 duplicate table, 23505 duplicate pg_type row: another session created it between check and create.
    if (code !== '42P07' && code !== '23505') throw error;
  }
}

export interface PartitionInfo {
  readonly name: string;
  /** Month start, epoch ms. */
  readonly month: number;
}

const NAME = /^(receipts|events)_p(\d{4})(\d{2})$/;

export async function listPartitions(client: Queryable, table: PartitionedTable): Promise<PartitionInfo[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i
       JOIN pg_class c ON c.oid = i.inhrelid
       JOIN pg_class p ON p.oid = i.inhparent
       JOIN pg_namespace n ON n.oid = p.relnamespace
      WHERE n.nspname = 'hookbus' AND p.relname = $1
      ORDER BY c.relname`,
    [table],
  );
  return rows.flatMap(({ name }) => {
    const match = NAME.exec(name);
    if (!match || match[1] !== table) return [];
    return [{ name, month: Date.UTC(Number(match[2]), Number(match[3]) - 1, 1) }];
  });
}

/** Retention per table, read from hookbus.retention, in ms. */
export async function loadRetention(client: Queryable): Promise<Record<PartitionedTable, number>> {
  const { rows } = await client.query<{ table_name: PartitionedTable; keep_ms: string }>(
    `SELECT table_name, (extract(epoch FROM keep) * 1000)::bigint::text AS keep_ms FROM hookbus.retention`,
  );
  const retention: Record<PartitionedTable, number> = { receipts: 400 * 86_400_000, events: 400 * 86_400_000 };
  for (const row of rows) retention[row.table_name] = Number(row.keep_ms);
  return retention;
}

/**
 * Drops the partitions that end at or before `horizonMs`. For events, the expired ids leave the event_ids
 * registry in the same transaction, so a late duplicate of an expired event is not silently refused forever.
 */
export async function dropExpiredPartitions(client: Queryable, table: PartitionedTable, horizonMs: number): Promise<string[]> {
  const dropped: string[] = [];
  for (const partition of await listPartitions(client, table)) {
    if (!isExpired(partition.month, horizonMs)) continue;
    await client.query('BEGIN');
    try {
      if (table === 'events') {
        await client.query(`DELETE FROM hookbus.event_ids r USING hookbus.${partition.name} e WHERE r.event_id = e.event_id`);
      }
      await client.query(`DROP TABLE hookbus.${partition.name}`);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    dropped.push(partition.name);
  }
  return dropped;
}
