import { Pool } from 'pg';
import { loadTimeline, uuidFloor, type Timeline } from '@hookbus/db';

export type Row = Record<string, unknown>;

export interface ReceiptRow extends Row {
  readonly receipt_id: string;
  readonly received_at: Date;
  readonly source_id: string;
  readonly provider: string;
  readonly kind: string | null;
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly headers: Record<string, unknown>;
  readonly content_type: string | null;
  readonly body: Buffer;
  readonly body_bytes: number;
  readonly quarantined: boolean;
  readonly refused_status: number | null;
  readonly refused_reason: string | null;
  readonly body_truncated: boolean;
}

export interface SourceActivity {
  readonly source_id: string;
  readonly last_received_at: Date | null;
  readonly accepted: number;
  readonly refused: number;
  /** Refused receipts since the last accepted one (Authvia counts failures toward 50). */
  readonly refused_since_accepted: number;
}

/** The window of the sources page's counts. */
export const SOURCE_ACTIVITY_DAYS = 7;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The console's reads of the Postgres read model: a pool whose sessions are read-only (default_transaction_read_only),
 * so no console query can write a table the projector owns, whatever it says.
 */
export class ReadModel {
  private readonly pool: Pool;

  constructor(databaseUrl: string) {
    this.pool = new Pool({
      connectionString: databaseUrl,
      max: 4,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
      application_name: 'hookbus-console',
      options: '-c TimeZone=UTC -c default_transaction_read_only=on -c statement_timeout=15000',
    });
    // An idle client's error (Postgres restarted) must not crash the process; the next query reconnects.
    this.pool.on('error', () => undefined);
  }

  /** Any read on the read-only pool (the pages of console-actions keep their SQL beside them: operations-queries.ts). */
  async query<T extends Row = Row>(text: string, params: readonly unknown[] = []): Promise<T[]> {
    const { rows } = await this.pool.query<T>(text, [...params]);
    return rows;
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1 FROM hookbus.receipts LIMIT 0');
  }

  timeline(key: string): Promise<Timeline> {
    return loadTimeline(this.pool, key);
  }

  async receipt(receiptId: string): Promise<ReceiptRow | null> {
    if (!UUID.test(receiptId)) return null;
    const { rows } = await this.pool.query<ReceiptRow>(
      `SELECT receipt_id, received_at, source_id, provider, kind, method, path, query, headers, content_type, body, body_bytes,
              quarantined, refused_status, refused_reason, body_truncated
         FROM hookbus.receipts WHERE receipt_id = $1`,
      [receiptId],
    );
    return rows[0] ?? null;
  }

  /** The events a receipt became (the normalizer's, then the tracker's and orchestrator's that name it). */
  async eventsOfReceipt(receiptId: string): Promise<Row[]> {
    if (!UUID.test(receiptId)) return [];
    const { rows } = await this.pool.query(
      `SELECT event_id, time, topic, type, subject, provider, data FROM hookbus.events WHERE receipt_id = $1 ORDER BY time DESC, event_id LIMIT 200`,
      [receiptId],
    );
    return rows;
  }

  async quarantined(limit = 200): Promise<ReceiptRow[]> {
    const { rows } = await this.pool.query<ReceiptRow>(
      `SELECT receipt_id, received_at, source_id, provider, kind, method, path, query, content_type, body_bytes, refused_status, refused_reason, body_truncated
         FROM hookbus.receipts WHERE quarantined ORDER BY receipt_id DESC LIMIT $1`,
      [limit],
    );
    return rows;
  }

  /**
   * Per source, over the last `days` days (receipt ids are uuid v7: a range of ids is a range of time, and prunes the
   * monthly partitions): the last request and accepted/refused counts.
   */
  async sourceActivity(days = SOURCE_ACTIVITY_DAYS): Promise<Map<string, SourceActivity>> {
    const since = uuidFloor(Date.now() - days * 86_400_000);
    // One pass over the window: each source's last accepted receipt, then its counts against it.
    const { rows } = await this.pool.query<SourceActivity>(
      `WITH recent AS (
         SELECT source_id, received_at, quarantined FROM hookbus.receipts WHERE receipt_id >= $1::uuid
       ), last_accepted AS (
         SELECT source_id, max(received_at) AS at FROM recent WHERE NOT quarantined GROUP BY source_id
       )
       SELECT r.source_id, max(r.received_at) AS last_received_at,
              count(*) FILTER (WHERE NOT r.quarantined)::int AS accepted,
              count(*) FILTER (WHERE r.quarantined)::int AS refused,
              count(*) FILTER (WHERE r.quarantined AND r.received_at > coalesce(l.at, '-infinity'))::int AS refused_since_accepted
         FROM recent r LEFT JOIN last_accepted l USING (source_id)
        GROUP BY r.source_id`,
      [since],
    );
    return new Map(rows.map((r) => [r.source_id, r]));
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
