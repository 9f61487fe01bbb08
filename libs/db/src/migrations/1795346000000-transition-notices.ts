import type { MigrationInterface, QueryRunner } from 'typeorm';

const TABLES = [
  ['communication_transitions', 'communication_id'],
  ['process_transitions', 'process_key'],
] as const;

/**
 * Overdue notices get their own identity in the transition tables. The tracker announces a notice with the seq of
 * the transition it comments on (libs/tracking/src/overdue.ts), so under the old key (key, seq) it always collided
 * with that transition and `DO NOTHING` dropped it. `kind` tells a change of status ('transition') from a notice
 * about the current one ('overdue'), and joins the key.
 */
export class TransitionNotices1795346000000 implements MigrationInterface {
  name = 'TransitionNotices1795346000000';

  async up(q: QueryRunner): Promise<void> {
    for (const [table, key] of TABLES) {
      // A constant default: Postgres 11+ adds the column without rewriting the table.
      await q.query(`ALTER TABLE hookbus.${table} ADD COLUMN kind text NOT NULL DEFAULT 'transition'`);
      await q.query(`ALTER TABLE hookbus.${table} ADD CONSTRAINT ${table}_kind_check CHECK (kind IN ('transition', 'overdue'))`);
      // A notice that did land (no transition held its seq yet, e.g. seq 0) is a notice: a status change never has from = to.
      await q.query(`UPDATE hookbus.${table} SET kind = 'overdue' WHERE reason = 'overdue' AND from_status IS NOT DISTINCT FROM to_status`);
      await q.query(`ALTER TABLE hookbus.${table} DROP CONSTRAINT ${table}_pkey`);
      await q.query(`ALTER TABLE hookbus.${table} ADD CONSTRAINT ${table}_pkey PRIMARY KEY (${key}, seq, kind)`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [table, key] of TABLES) {
      // The old key has room for one row per seq: the notices go, the transitions stay.
      await q.query(`DELETE FROM hookbus.${table} WHERE kind = 'overdue'`);
      await q.query(`ALTER TABLE hookbus.${table} DROP CONSTRAINT ${table}_pkey`);
      await q.query(`ALTER TABLE hookbus.${table} ADD CONSTRAINT ${table}_pkey PRIMARY KEY (${key}, seq)`);
      await q.query(`ALTER TABLE hookbus.${table} DROP COLUMN kind`);
    }
  }
}
