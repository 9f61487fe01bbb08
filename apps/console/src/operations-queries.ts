import type { ReadModel, Row } from './read-model';

/**
 * The read-model queries of the operators' pages (overview, dead letters, audit): read-only, on the console's pool.
 * Filters arrive parsed (dead-letter-filter.ts) and travel as parameters, never as SQL text.
 */

export interface DeadLetterFilter {
  readonly stage?: string;
  readonly topic?: string;
  readonly code?: string;
  /** Only dead letters that failed at or after this time. */
  readonly since?: Date;
}

export interface DeadLetterListRow extends Row {
  readonly id: string;
  readonly stage: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly error_code: string | null;
  readonly error: string;
  readonly attempts: number;
  readonly failed_at: Date;
}

export interface DeadLetterRow extends DeadLetterListRow {
  readonly payload: Buffer | null;
  readonly headers: Record<string, unknown>;
  readonly created_at: Date;
  readonly redriven_at: Date | null;
}

/** How many rows a list shows: the newest. */
export const LIST_LIMIT = 200;

/** Dead letters waiting (not redriven), newest failure first. */
export async function waitingDeadLetters(readModel: ReadModel, filter: DeadLetterFilter, limit = LIST_LIMIT): Promise<DeadLetterListRow[]> {
  return readModel.query<DeadLetterListRow>(
    `SELECT id, stage, topic, partition, "offset"::text AS "offset", key, error_code, error, attempts, failed_at
       FROM hookbus.dead_letters
      WHERE redriven_at IS NULL
        AND ($1::text IS NULL OR stage = $1) AND ($2::text IS NULL OR topic = $2) AND ($3::text IS NULL OR error_code = $3)
        AND ($4::timestamptz IS NULL OR failed_at >= $4)
      ORDER BY failed_at DESC, id
      LIMIT $5`,
    [filter.stage ?? null, filter.topic ?? null, filter.code ?? null, filter.since ?? null, limit],
  );
}

export async function deadLetterById(readModel: ReadModel, id: string): Promise<DeadLetterRow | null> {
  const rows = await readModel.query<DeadLetterRow>(
    `SELECT id, stage, topic, partition, "offset"::text AS "offset", key, error_code, error, attempts, payload, headers, failed_at, created_at, redriven_at
       FROM hookbus.dead_letters WHERE id = $1`,
    [id],
  );
  return rows[0] ?? null;
}

/** What the filters can choose from: the stages, topics and codes of the waiting dead letters, with counts. */
export async function deadLetterFacets(readModel: ReadModel): Promise<{ stages: string[]; topics: string[]; codes: string[] }> {
  const rows = await readModel.query<{ kind: string; value: string }>(
    `SELECT DISTINCT 'stage' AS kind, stage AS value FROM hookbus.dead_letters WHERE redriven_at IS NULL
     UNION SELECT DISTINCT 'topic', topic FROM hookbus.dead_letters WHERE redriven_at IS NULL
     UNION SELECT DISTINCT 'code', error_code FROM hookbus.dead_letters WHERE redriven_at IS NULL AND error_code IS NOT NULL
     ORDER BY 1, 2`,
  );
  const of = (kind: string) => rows.filter((r) => r.kind === kind).map((r) => r.value);
  return { stages: of('stage'), topics: of('topic'), codes: of('code') };
}

export interface StageCount extends Row {
  readonly stage: string;
  readonly waiting: number;
}

/** Dead letters waiting per stage (the overview). */
export async function deadLettersPerStage(readModel: ReadModel): Promise<StageCount[]> {
  return readModel.query<StageCount>(`SELECT stage, count(*)::int AS waiting FROM hookbus.dead_letters WHERE redriven_at IS NULL GROUP BY stage ORDER BY stage`);
}

export interface SourceStatusCount extends Row {
  readonly source_id: string;
  /** `accepted`, or the refusal's HTTP status (quarantined). */
  readonly status: string;
  readonly count: number;
}

/** Webhooks received per source and status over the last `minutes` (the overview), from the receipts. */
export async function webhooksPerSource(readModel: ReadModel, minutes = 60): Promise<SourceStatusCount[]> {
  return readModel.query<SourceStatusCount>(
    `SELECT source_id, CASE WHEN quarantined THEN coalesce(refused_status::text, 'refused') ELSE 'accepted' END AS status, count(*)::int AS count
       FROM hookbus.receipts
      WHERE received_at >= now() - make_interval(mins => $1)
      GROUP BY 1, 2 ORDER BY 1, 2`,
    [minutes],
  );
}

export interface AuditRow extends Row {
  readonly action_id: string;
  readonly at: Date;
  readonly actor: string;
  readonly role: string;
  readonly action: string;
  readonly target_kind: string;
  readonly target_ids: string[];
  readonly outcome: string;
  readonly detail: string;
}

export interface AuditFilter {
  readonly actor?: string;
  readonly action?: string;
}

/** The audit trail, newest first. */
export async function auditTrail(readModel: ReadModel, filter: AuditFilter, limit = LIST_LIMIT): Promise<AuditRow[]> {
  return readModel.query<AuditRow>(
    `SELECT action_id::text AS action_id, at, actor, role, action, target_kind, target_ids, outcome, detail
       FROM hookbus.console_audit
      WHERE ($1::text IS NULL OR actor = $1) AND ($2::text IS NULL OR action = $2)
      ORDER BY at DESC, action_id
      LIMIT $3`,
    [filter.actor ?? null, filter.action ?? null, limit],
  );
}
