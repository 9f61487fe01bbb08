import type { PoolClient } from 'pg';
import { jsonForJsonb, withoutNul } from '@hookbus/contracts';
import type { CommunicationRow, ConsoleAuditRow, CredasResultRow, DeadLetterRow, EventRow, ProcessRow, Projection, ReceiptRow, RedriveRow, TransitionRow } from './projection-rows';

/**
 * Multi-row upserts, one statement per table per batch: each column travels as one array parameter and
 * `unnest` turns the arrays back into rows, so a batch of any size is one round trip per table and the statement
 * text never changes (the plan is cached).
 *
 * The guards (see README): immutable facts (receipts, events, transitions) are `DO NOTHING`; current state
 * (communications, processes, credas_results) is replaced only by a strictly newer value, so a replay or an older
 * straggler leaves the row, and even its projected_at, untouched.
 */
export async function writeProjection(client: PoolClient, batch: Required<Projection>): Promise<void> {
  await writeReceipts(client, batch.receipts);
  await writeEvents(client, batch.events);
  await writeCommunications(client, batch.communications);
  await writeProcesses(client, batch.processes);
  await writeTransitions(client, 'communication', batch.transitions.filter((t) => t.kind === 'communication'));
  await writeTransitions(client, 'process', batch.transitions.filter((t) => t.kind === 'process'));
  await writeCredasResults(client, batch.credasResults);
  await writeDeadLetters(client, batch.deadLetters);
  await writeRedrives(client, batch.redrives);
  await writeConsoleAudit(client, batch.consoleAudit);
}

/** An audit row is a fact: written once per actionId, a redelivery or a replay is `DO NOTHING`. */
async function writeConsoleAudit(client: PoolClient, rows: readonly ConsoleAuditRow[]): Promise<void> {
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO hookbus.console_audit (action_id, at, actor, role, action, target_kind, target_ids, outcome, detail)
     SELECT x.action_id, x.at, x.actor, x.role, x.action, x.target_kind,
            COALESCE(ARRAY(SELECT jsonb_array_elements_text(x.target_ids)), '{}'), x.outcome, x.detail
       FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[], $8::text[], $9::text[])
         AS x(action_id, at, actor, role, action, target_kind, target_ids, outcome, detail)
     ON CONFLICT (action_id) DO NOTHING`,
    [
      column(rows, (r) => r.actionId),
      column(rows, (r) => r.at),
      column(rows, (r) => r.actor),
      column(rows, (r) => r.role),
      column(rows, (r) => r.action),
      column(rows, (r) => r.targetKind),
      jsonColumn(rows, (r) => JSON.stringify(r.targetIds.map((id) => withoutNul(id)))),
      column(rows, (r) => r.outcome),
      column(rows, (r) => r.detail),
    ],
  );
}

/**
 * Marks dead letters as redriven. Only a failure that happened before the redrive is marked, and a later redrive
 * time wins, so a replay of the topic ends where it was.
 */
async function writeRedrives(client: PoolClient, rows: readonly RedriveRow[]): Promise<void> {
  if (rows.length === 0) return;
  await client.query(
    `UPDATE hookbus.dead_letters AS d SET redriven_at = x.redriven_at, projected_at = now()
       FROM unnest($1::text[], $2::timestamptz[]) AS x(id, redriven_at)
      WHERE d.id = x.id AND d.failed_at <= x.redriven_at AND (d.redriven_at IS NULL OR d.redriven_at < x.redriven_at)`,
    [column(rows, (r) => r.id), column(rows, (r) => r.redrivenAt)],
  );
}

/**
 * One column as an array parameter. Text never reaches Postgres with a NUL in it (text refuses it, SQLSTATE 22021):
 * every string value is escaped here, at the one place all of them pass (`withoutNul` in libs/contracts).
 */
function column<T, V>(rows: readonly T[], pick: (row: T) => V): V[] {
  return rows.map((row) => {
    const value = pick(row);
    return (typeof value === 'string' ? withoutNul(value) : value) as V;
  });
}

/** A jsonb column: JSON text whose `\u0000` escapes jsonb refuses (SQLSTATE 22P05) are written as text instead. */
function jsonColumn<T>(rows: readonly T[], pick: (row: T) => string | null): Array<string | null> {
  return rows.map((row) => {
    const value = pick(row);
    return value === null ? null : jsonForJsonb(value);
  });
}

async function writeReceipts(client: PoolClient, rows: readonly ReceiptRow[]): Promise<void> {
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO hookbus.receipts (receipt_id, received_at, source_id, provider, kind, entity_key, method, path, query, path_status,
                                   headers, content_type, body, body_bytes, quarantined, refused_status, refused_reason, body_truncated)
     SELECT r.receipt_id, r.received_at, r.source_id, r.provider, r.kind, r.entity_key, r.method, r.path, r.query, r.path_status,
            r.headers, r.content_type, r.body, octet_length(r.body), r.quarantined, r.refused_status, r.refused_reason, r.body_truncated
       FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                   $10::text[], $11::jsonb[], $12::text[], $13::bytea[], $14::boolean[], $15::integer[], $16::text[], $17::boolean[])
         AS r(receipt_id, received_at, source_id, provider, kind, entity_key, method, path, query, path_status,
              headers, content_type, body, quarantined, refused_status, refused_reason, body_truncated)
     ON CONFLICT (receipt_id) DO NOTHING`,
    [
      column(rows, (r) => r.receiptId),
      column(rows, (r) => r.receivedAt),
      column(rows, (r) => r.sourceId),
      column(rows, (r) => r.provider),
      column(rows, (r) => r.kind),
      column(rows, (r) => r.entityKey),
      column(rows, (r) => r.method),
      column(rows, (r) => r.path),
      column(rows, (r) => r.query),
      column(rows, (r) => r.pathStatus),
      jsonColumn(rows, (r) => r.headers),
      column(rows, (r) => r.contentType),
      column(rows, (r) => r.body),
      column(rows, (r) => r.quarantined),
      column(rows, (r) => r.refusedStatus),
      column(rows, (r) => r.refusedReason),
      column(rows, (r) => r.bodyTruncated),
    ],
  );
}

/**
 * The registry insert decides which events are new (first writer wins, concurrent writers wait on the key); only
 * those reach the partitioned table, so event_id stays unique across partitions.
 */
async function writeEvents(client: PoolClient, rows: readonly EventRow[]): Promise<void> {
  if (rows.length === 0) return;
  await client.query(
    `WITH input AS (
       SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[],
                            $8::text[], $9::uuid[], $10::text[], $11::text[], $12::text[], $13::jsonb[])
         AS e(event_id, received_at, topic, type, source, subject, time, provider, receipt_id, process_key, process_id, entity_id, data)
     ), fresh AS (
       INSERT INTO hookbus.event_ids (event_id, received_at)
       SELECT event_id, received_at FROM input
       ON CONFLICT (event_id) DO NOTHING
       RETURNING event_id
     )
     INSERT INTO hookbus.events (event_id, received_at, topic, type, source, subject, time, provider, receipt_id, process_key, process_id, entity_id, data)
     SELECT i.event_id, i.received_at, i.topic, i.type, i.source, i.subject, i.time, i.provider, i.receipt_id, i.process_key, i.process_id, i.entity_id, i.data
       FROM input i JOIN fresh f USING (event_id)`,
    [
      column(rows, (r) => r.eventId),
      column(rows, (r) => new Date(r.receivedAtMs).toISOString()),
      column(rows, (r) => r.topic),
      column(rows, (r) => r.type),
      column(rows, (r) => r.source),
      column(rows, (r) => r.subject),
      column(rows, (r) => r.time),
      column(rows, (r) => r.provider),
      column(rows, (r) => r.receiptId),
      column(rows, (r) => r.processKey),
      column(rows, (r) => r.processId),
      column(rows, (r) => r.entityId),
      jsonColumn(rows, (r) => r.data),
    ],
  );
}

/** Newer means a greater (seq, updated_at, state offset): seq counts the tracker's transitions for the key. */
async function writeCommunications(client: PoolClient, rows: readonly CommunicationRow[]): Promise<void> {
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO hookbus.communications AS c (communication_id, provider, channel, status, provider_status, final, process_key, process_id,
                                              entity_id, continued_as, status_event_id, seq, updated_at, state, state_offset)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::boolean[], $7::text[], $8::text[],
                          $9::text[], $10::text[], $11::text[], $12::integer[], $13::timestamptz[], $14::jsonb[], $15::bigint[])
     ON CONFLICT (communication_id) DO UPDATE SET
       provider = EXCLUDED.provider, channel = EXCLUDED.channel, status = EXCLUDED.status, provider_status = EXCLUDED.provider_status,
       final = EXCLUDED.final, process_key = EXCLUDED.process_key, process_id = EXCLUDED.process_id, entity_id = EXCLUDED.entity_id,
       continued_as = EXCLUDED.continued_as, status_event_id = EXCLUDED.status_event_id, seq = EXCLUDED.seq,
       updated_at = EXCLUDED.updated_at, state = EXCLUDED.state, state_offset = EXCLUDED.state_offset, projected_at = now()
     WHERE (c.seq, c.updated_at, c.state_offset) < (EXCLUDED.seq, EXCLUDED.updated_at, EXCLUDED.state_offset)`,
    [
      column(rows, (r) => r.communicationId),
      column(rows, (r) => r.provider),
      column(rows, (r) => r.channel),
      column(rows, (r) => r.status),
      jsonColumn(rows, (r) => r.providerStatus),
      column(rows, (r) => r.final),
      column(rows, (r) => r.processKey),
      column(rows, (r) => r.processId),
      column(rows, (r) => r.entityId),
      column(rows, (r) => r.continuedAs),
      column(rows, (r) => r.statusEventId),
      column(rows, (r) => r.seq),
      column(rows, (r) => r.updatedAt),
      jsonColumn(rows, (r) => r.state),
      column(rows, (r) => r.stateOffset),
    ],
  );
}

async function writeProcesses(client: PoolClient, rows: readonly ProcessRow[]): Promise<void> {
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO hookbus.processes AS p (process_key, provider, process_id, status, provider_status, final, version, status_reason, entity_id,
                                         entity_ids, closed_at, expires_at, status_event_id, seq, updated_at, state, state_offset)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::boolean[], $7::bigint[], $8::text[], $9::text[],
                          $10::jsonb[], $11::text[], $12::text[], $13::text[], $14::integer[], $15::timestamptz[], $16::jsonb[], $17::bigint[])
     ON CONFLICT (process_key) DO UPDATE SET
       provider = EXCLUDED.provider, process_id = EXCLUDED.process_id, status = EXCLUDED.status, provider_status = EXCLUDED.provider_status,
       final = EXCLUDED.final, version = EXCLUDED.version, status_reason = EXCLUDED.status_reason, entity_id = EXCLUDED.entity_id,
       entity_ids = EXCLUDED.entity_ids, closed_at = EXCLUDED.closed_at, expires_at = EXCLUDED.expires_at,
       status_event_id = EXCLUDED.status_event_id, seq = EXCLUDED.seq, updated_at = EXCLUDED.updated_at, state = EXCLUDED.state,
       state_offset = EXCLUDED.state_offset, projected_at = now()
     WHERE (p.seq, p.updated_at, p.state_offset) < (EXCLUDED.seq, EXCLUDED.updated_at, EXCLUDED.state_offset)`,
    [
      column(rows, (r) => r.processKey),
      column(rows, (r) => r.provider),
      column(rows, (r) => r.processId),
      column(rows, (r) => r.status),
      jsonColumn(rows, (r) => r.providerStatus),
      column(rows, (r) => r.final),
      column(rows, (r) => r.version),
      column(rows, (r) => r.statusReason),
      column(rows, (r) => r.entityId),
      jsonColumn(rows, (r) => r.entityIds),
      column(rows, (r) => r.closedAt),
      column(rows, (r) => r.expiresAt),
      column(rows, (r) => r.statusEventId),
      column(rows, (r) => r.seq),
      column(rows, (r) => r.updatedAt),
      jsonColumn(rows, (r) => r.state),
      column(rows, (r) => r.stateOffset),
    ],
  );
}

/** `kind` is in the key: an overdue notice carries the seq of the transition it comments on (see README). */
async function writeTransitions(client: PoolClient, kind: 'communication' | 'process', rows: readonly TransitionRow[]): Promise<void> {
  if (rows.length === 0) return;
  const [table, key] = kind === 'communication' ? ['communication_transitions', 'communication_id'] : ['process_transitions', 'process_key'];
  await client.query(
    `INSERT INTO hookbus.${table} (${key}, seq, kind, provider, from_status, to_status, final, requires_action, reason, caused_by, event_id, at)
     SELECT * FROM unnest($1::text[], $2::integer[], $3::text[], $4::text[], $5::text[], $6::text[], $7::boolean[], $8::boolean[],
                          $9::text[], $10::text[], $11::text[], $12::timestamptz[])
     ON CONFLICT (${key}, seq, kind) DO NOTHING`,
    [
      column(rows, (r) => r.key),
      column(rows, (r) => r.seq),
      column(rows, (r) => r.entry),
      column(rows, (r) => r.provider),
      column(rows, (r) => r.fromStatus),
      column(rows, (r) => r.toStatus),
      column(rows, (r) => r.final),
      column(rows, (r) => r.requiresAction),
      column(rows, (r) => r.reason),
      column(rows, (r) => r.causedBy),
      column(rows, (r) => r.eventId),
      column(rows, (r) => r.at),
    ],
  );
}

/** A later retrieval replaces an earlier one; equal times fall to the greater event id, never to arrival order. */
async function writeCredasResults(client: PoolClient, rows: readonly CredasResultRow[]): Promise<void> {
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO hookbus.credas_results AS r (process_id, process_key, entity_id, details, active_checks, report_pdf, report_ref,
                                              report_sha256, report_bytes, retrieved_at, event_id)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::jsonb[], $6::bytea[], $7::text[], $8::text[],
                          $9::integer[], $10::timestamptz[], $11::text[])
     ON CONFLICT (process_id) DO UPDATE SET
       process_key = EXCLUDED.process_key, entity_id = EXCLUDED.entity_id, details = EXCLUDED.details,
       active_checks = EXCLUDED.active_checks, report_pdf = EXCLUDED.report_pdf, report_ref = EXCLUDED.report_ref,
       report_sha256 = EXCLUDED.report_sha256, report_bytes = EXCLUDED.report_bytes, retrieved_at = EXCLUDED.retrieved_at,
       event_id = EXCLUDED.event_id, projected_at = now()
     WHERE (r.retrieved_at, r.event_id) < (EXCLUDED.retrieved_at, EXCLUDED.event_id)`,
    [
      column(rows, (r) => r.processId),
      column(rows, (r) => r.processKey),
      column(rows, (r) => r.entityId),
      jsonColumn(rows, (r) => r.details),
      jsonColumn(rows, (r) => r.activeChecks),
      column(rows, (r) => r.reportPdf),
      column(rows, (r) => r.reportRef),
      column(rows, (r) => r.reportSha256),
      column(rows, (r) => r.reportBytes),
      column(rows, (r) => r.retrievedAt),
      column(rows, (r) => r.eventId),
    ],
  );
}

/**
 * A dead letter is written once. The only later change is a new failure after an operator redrove it: that
 * clears redriven_at and records the new attempt; a replay of the old failure (failed before the redrive) is a no-op.
 */
async function writeDeadLetters(client: PoolClient, rows: readonly DeadLetterRow[]): Promise<void> {
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO hookbus.dead_letters AS d (id, stage, topic, partition, "offset", key, error_code, error, attempts, payload, headers, failed_at, created_at)
     SELECT id, stage, topic, partition, "offset", key, error_code, error, attempts, payload, headers, failed_at, failed_at
       FROM unnest($1::text[], $2::text[], $3::text[], $4::integer[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::integer[],
                   $10::bytea[], $11::jsonb[], $12::timestamptz[])
         AS x(id, stage, topic, partition, "offset", key, error_code, error, attempts, payload, headers, failed_at)
     ON CONFLICT (id) DO UPDATE SET
       error_code = EXCLUDED.error_code, error = EXCLUDED.error, attempts = d.attempts + 1, failed_at = EXCLUDED.failed_at,
       redriven_at = NULL, projected_at = now()
     WHERE d.redriven_at IS NOT NULL AND EXCLUDED.failed_at > d.redriven_at`,
    [
      column(rows, (r) => r.id),
      column(rows, (r) => r.stage),
      column(rows, (r) => r.topic),
      column(rows, (r) => r.partition),
      column(rows, (r) => r.offset),
      column(rows, (r) => r.key),
      column(rows, (r) => r.errorCode),
      column(rows, (r) => r.error),
      column(rows, (r) => r.attempts),
      column(rows, (r) => r.payload),
      jsonColumn(rows, (r) => r.headers),
      column(rows, (r) => r.failedAt),
    ],
  );
}
