import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * hookbus.console_audit: the console's audit trail (console.audit.v1), one row per action, keyed by its actionId so
 * a record delivered twice, or a replay of the topic, leaves one row. Written only by the projector; the console
 * reads it (the audit page, newest first, by actor or action).
 */
export class ConsoleAudit1796105000000 implements MigrationInterface {
  name = 'ConsoleAudit1796105000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE hookbus.console_audit (
        action_id uuid PRIMARY KEY,
        at timestamptz NOT NULL,
        actor text NOT NULL,
        role text NOT NULL,
        action text NOT NULL,
        target_kind text NOT NULL,
        target_ids text[] NOT NULL,
        outcome text NOT NULL,
        detail text NOT NULL,
        projected_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX console_audit_at_idx ON hookbus.console_audit (at DESC)`);
    await q.query(`CREATE INDEX console_audit_actor_at_idx ON hookbus.console_audit (actor, at DESC)`);
    await q.query(`CREATE INDEX console_audit_action_at_idx ON hookbus.console_audit (action, at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE hookbus.console_audit`);
  }
}
