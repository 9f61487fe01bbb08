import type { Pool } from 'pg';
import {
  PARTITIONED_TABLES,
  dropExpiredPartitions,
  ensurePartition,
  listPartitions,
  loadRetention,
  nextMonthStart,
  monthStart,
  type PartitionedTable,
  type Queryable,
} from '@hookbus/db';

/** Serialises maintenance across projector instances (an arbitrary constant: "hookbus partitions"). */
const MAINTENANCE_LOCK = 0x686b6270;

/**
 * Knows which monthly partitions exist and how long each table keeps data. The sink asks it for the months a batch
 * needs (creating any that are missing, before the batch transaction so the parent's lock is held briefly); the
 * hourly maintenance creates the coming month ahead of time and drops the expired ones.
 */
export class PartitionKeeper {
  private readonly known: Record<PartitionedTable, Set<number>> = { receipts: new Set(), events: new Set() };
  private retention: Record<PartitionedTable, number> | null = null;
  private loaded = false;

  constructor(
    private readonly pool: Pool,
    private readonly now: () => number = Date.now,
  ) {}

  /** Epoch ms before which a table's months are expired; loads retention on first use. */
  async horizons(): Promise<Record<PartitionedTable, number>> {
    if (!this.retention) this.retention = await loadRetention(this.pool as unknown as Queryable);
    const now = this.now();
    return { receipts: now - this.retention.receipts, events: now - this.retention.events };
  }

  async ensure(months: Readonly<Record<PartitionedTable, readonly number[]>>): Promise<void> {
    if (!this.loaded) await this.refresh();
    for (const table of PARTITIONED_TABLES) {
      for (const month of months[table]) {
        if (this.known[table].has(month)) continue;
        await ensurePartition(this.pool as unknown as Queryable, table, month);
        this.known[table].add(month);
      }
    }
  }

  /** Re-reads retention, creates this and next month's partitions, drops expired ones. Returns what it dropped. */
  async maintain(): Promise<string[]> {
    const client = await this.pool.connect();
    const onError = (): void => undefined;
    client.on('error', onError);
    try {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [MAINTENANCE_LOCK]);
      if (!rows[0]?.locked) return [];
      try {
        this.retention = await loadRetention(client as unknown as Queryable);
        const now = this.now();
        const dropped: string[] = [];
        for (const table of PARTITIONED_TABLES) {
          for (const month of [monthStart(now), nextMonthStart(now)]) await ensurePartition(client as unknown as Queryable, table, month);
          dropped.push(...(await dropExpiredPartitions(client as unknown as Queryable, table, now - this.retention[table])));
        }
        await this.refresh(client as unknown as Queryable);
        return dropped;
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [MAINTENANCE_LOCK]);
      }
    } finally {
      client.removeListener('error', onError);
      client.release();
    }
  }

  private async refresh(client: Queryable = this.pool as unknown as Queryable): Promise<void> {
    for (const table of PARTITIONED_TABLES) {
      this.known[table] = new Set((await listPartitions(client, table)).map((p) => p.month));
    }
    this.loaded = true;
  }
}
