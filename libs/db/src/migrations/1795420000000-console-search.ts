import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * For the console's search (issue 20), measured by the bench's console-search part (BENCHMARKS.md):
 * - Credas results are looked up by processKey as well as by ProcessId and entity id; only the last two were indexed,
 *   so every search scanned hookbus.credas_results (10–45 ms at 40,000 results, growing with every Credas process).
 *   Plain CREATE INDEX: the table is small next to events, and migrations run before the projector starts.
 * - Every search by an id that is not a contract key asks the GIN index on processes.entity_ids, and a GIN lookup
 *   reads the index's whole pending list (rows inserted since the last vacuum, up to gin_pending_list_limit, 4 MB by
 *   default): 16 ms for 300 pending pages in the bench, 0.03 ms once flushed. A 512 kB limit bounds that read to 64
 *   pages while the projector's inserts still go through the list in batches; the list there now is flushed.
 */
export class ConsoleSearch1795420000000 implements MigrationInterface {
  name = 'ConsoleSearch1795420000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX IF NOT EXISTS credas_results_process_key_idx ON hookbus.credas_results (process_key)`);
    await q.query(`ALTER INDEX hookbus.processes_entity_ids_idx SET (gin_pending_list_limit = 512)`);
    await q.query(`SELECT gin_clean_pending_list('hookbus.processes_entity_ids_idx'::regclass)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER INDEX hookbus.processes_entity_ids_idx RESET (gin_pending_list_limit)`);
    await q.query(`DROP INDEX IF EXISTS hookbus.credas_results_process_key_idx`);
  }
}
