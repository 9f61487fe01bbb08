import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Schema `hookbus`: the read model of contract §5. Receipts and events are partitioned by arrival time (monthly
 * partitions, created on demand by the projector, dropped past `hookbus.retention`); everything else is a plain
 * table keyed by the entity it describes. See apps/projector/README.md for the guards every upsert applies.
 */
export class ReadModel1732265000000 implements MigrationInterface {
  name = 'ReadModel1732265000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS hookbus`);

    // How long partitioned tables keep data; operators change it with an UPDATE, the projector reads it hourly.
    await q.query(`
      CREATE TABLE hookbus.retention (
        table_name text PRIMARY KEY CHECK (table_name IN ('receipts', 'events')),
        keep interval NOT NULL CHECK (keep >= interval '1 day')
      )`);
    await q.query(`INSERT INTO hookbus.retention (table_name, keep) VALUES ('receipts', interval '400 days'), ('events', interval '400 days')`);

    // Receipt ids are uuid v7: their first 48 bits are the receipt time, and uuids compare bytewise, so a range of
    // ids is a range of time. Partitioning by the id itself keeps receipt_id alone the primary key.
    await q.query(`
      CREATE TABLE hookbus.receipts (
        receipt_id uuid NOT NULL,
        received_at timestamptz NOT NULL,
        source_id text NOT NULL,
        provider text NOT NULL,
        kind text,
        entity_key text,
        method text NOT NULL,
        path text NOT NULL,
        query text NOT NULL,
        path_status text,
        headers jsonb NOT NULL,
        content_type text,
        body bytea NOT NULL,
        body_bytes integer NOT NULL,
        quarantined boolean NOT NULL DEFAULT false,
        refused_status integer,
        refused_reason text,
        body_truncated boolean NOT NULL DEFAULT false,
        projected_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (receipt_id)
      ) PARTITION BY RANGE (receipt_id)`);
    await q.query(`CREATE INDEX receipts_entity_key_idx ON hookbus.receipts (entity_key)`);
    await q.query(`CREATE INDEX receipts_source_received_idx ON hookbus.receipts (source_id, received_at)`);

    // Event ids are hashes (no time in them) and a partitioned table's unique keys must contain the partition key,
    // so event_ids is the unpartitioned registry that keeps event_id unique across partitions: an event row is
    // written only when its id was new. Partition expiry deletes the expired ids from it.
    await q.query(`
      CREATE TABLE hookbus.event_ids (
        event_id text PRIMARY KEY,
        received_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE hookbus.events (
        event_id text NOT NULL,
        received_at timestamptz NOT NULL,
        topic text NOT NULL,
        type text NOT NULL,
        source text NOT NULL,
        subject text NOT NULL,
        time timestamptz NOT NULL,
        provider text,
        receipt_id uuid,
        process_key text,
        process_id text,
        entity_id text,
        data jsonb NOT NULL,
        projected_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (event_id, received_at)
      ) PARTITION BY RANGE (received_at)`);
    await q.query(`CREATE INDEX events_subject_time_idx ON hookbus.events (subject, time)`);
    await q.query(`CREATE INDEX events_process_key_idx ON hookbus.events (process_key) WHERE process_key IS NOT NULL`);
    await q.query(`CREATE INDEX events_process_id_idx ON hookbus.events (process_id) WHERE process_id IS NOT NULL`);
    await q.query(`CREATE INDEX events_entity_id_idx ON hookbus.events (entity_id) WHERE entity_id IS NOT NULL`);
    await q.query(`CREATE INDEX events_receipt_id_idx ON hookbus.events (receipt_id)`);

    await q.query(`
      CREATE TABLE hookbus.communications (
        communication_id text PRIMARY KEY,
        provider text NOT NULL,
        channel text NOT NULL,
        status text NOT NULL,
        provider_status jsonb NOT NULL,
        final boolean NOT NULL,
        process_key text,
        process_id text,
        entity_id text,
        continued_as text,
        status_event_id text,
        seq integer NOT NULL,
        updated_at timestamptz NOT NULL,
        state jsonb NOT NULL,
        state_offset bigint NOT NULL,
        projected_at timestamptz NOT NULL DEFAULT now()
      )`);
    // text_pattern_ops: prefix lookups by phone number (octapush:sms:+4477...) use the index under any collation.
    await q.query(`CREATE INDEX communications_id_pattern_idx ON hookbus.communications (communication_id text_pattern_ops)`);
    await q.query(`CREATE INDEX communications_process_id_idx ON hookbus.communications (process_id)`);
    await q.query(`CREATE INDEX communications_process_key_idx ON hookbus.communications (process_key)`);
    await q.query(`CREATE INDEX communications_entity_id_idx ON hookbus.communications (entity_id)`);
    await q.query(`CREATE INDEX communications_updated_at_idx ON hookbus.communications (updated_at)`);

    for (const [table, key] of [['communication_transitions', 'communication_id'], ['process_transitions', 'process_key']] as const) {
      await q.query(`
        CREATE TABLE hookbus.${table} (
          ${key} text NOT NULL,
          seq integer NOT NULL,
          provider text NOT NULL,
          from_status text,
          to_status text NOT NULL,
          final boolean NOT NULL,
          requires_action boolean NOT NULL,
          reason text,
          caused_by text,
          event_id text NOT NULL,
          at timestamptz NOT NULL,
          projected_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (${key}, seq)
        )`);
      await q.query(`CREATE INDEX ${table}_at_idx ON hookbus.${table} (at)`);
      await q.query(`CREATE INDEX ${table}_action_idx ON hookbus.${table} (at) WHERE requires_action`);
    }

    await q.query(`
      CREATE TABLE hookbus.processes (
        process_key text PRIMARY KEY,
        provider text NOT NULL,
        process_id text NOT NULL,
        status text NOT NULL,
        provider_status jsonb NOT NULL,
        final boolean NOT NULL,
        version bigint,
        status_reason text,
        entity_id text,
        entity_ids jsonb NOT NULL,
        closed_at text,
        expires_at text,
        status_event_id text,
        seq integer NOT NULL,
        updated_at timestamptz NOT NULL,
        state jsonb NOT NULL,
        state_offset bigint NOT NULL,
        projected_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX processes_process_id_idx ON hookbus.processes (process_id)`);
    await q.query(`CREATE INDEX processes_entity_id_idx ON hookbus.processes (entity_id)`);
    await q.query(`CREATE INDEX processes_entity_ids_idx ON hookbus.processes USING gin (entity_ids jsonb_path_ops)`);
    await q.query(`CREATE INDEX processes_updated_at_idx ON hookbus.processes (updated_at)`);

    await q.query(`
      CREATE TABLE hookbus.credas_results (
        process_id text PRIMARY KEY,
        process_key text NOT NULL,
        entity_id text,
        details jsonb,
        active_checks jsonb,
        report_pdf bytea,
        report_ref text,
        report_sha256 text,
        report_bytes integer,
        retrieved_at timestamptz NOT NULL,
        event_id text NOT NULL,
        projected_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX credas_results_entity_id_idx ON hookbus.credas_results (entity_id)`);

    await q.query(`
      CREATE TABLE hookbus.dead_letters (
        id text PRIMARY KEY,
        stage text NOT NULL,
        topic text NOT NULL,
        partition integer NOT NULL,
        "offset" bigint NOT NULL,
        key text,
        error_code text,
        error text NOT NULL,
        attempts integer NOT NULL,
        payload bytea,
        headers jsonb NOT NULL,
        failed_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL,
        redriven_at timestamptz,
        projected_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX dead_letters_created_at_idx ON hookbus.dead_letters (created_at)`);
    await q.query(`CREATE INDEX dead_letters_key_idx ON hookbus.dead_letters (key)`);
    await q.query(`CREATE INDEX dead_letters_pending_idx ON hookbus.dead_letters (stage, topic) WHERE redriven_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA hookbus CASCADE`);
  }
}
