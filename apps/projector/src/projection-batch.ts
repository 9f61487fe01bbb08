import { isExpired, monthStart, type PartitionedTable } from '@hookbus/db';
import type { CommunicationRow, CredasResultRow, ProcessRow, Projection } from './projection-rows';

export type ProjectionBatch = Required<Projection>;

/**
 * Joins the projections of one batch into one set of rows per table, with at most one row per key: Postgres
 * refuses an `ON CONFLICT DO UPDATE` that touches a row twice, and a duplicate event would reach the partitioned
 * table twice. For current state the winner is the row the SQL guard would keep; for facts, the first.
 */
export function mergeProjections(projections: ReadonlyArray<Projection>): ProjectionBatch {
  const receipts = new Map<string, ProjectionBatch['receipts'][number]>();
  const events = new Map<string, ProjectionBatch['events'][number]>();
  const communications = new Map<string, CommunicationRow>();
  const processes = new Map<string, ProcessRow>();
  const transitions = new Map<string, ProjectionBatch['transitions'][number]>();
  const credasResults = new Map<string, CredasResultRow>();
  const deadLetters = new Map<string, ProjectionBatch['deadLetters'][number]>();
  const redrives = new Map<string, ProjectionBatch['redrives'][number]>();
  const consoleAudit = new Map<string, ProjectionBatch['consoleAudit'][number]>();
  for (const p of projections) {
    for (const r of p.redrives ?? []) greatestWins(redrives, r.id, r, (a, b) => (a.redrivenAt < b.redrivenAt ? -1 : a.redrivenAt > b.redrivenAt ? 1 : 0));
    for (const r of p.receipts ?? []) firstWins(receipts, r.receiptId, r);
    for (const r of p.events ?? []) firstWins(events, r.eventId, r);
    for (const r of p.transitions ?? []) firstWins(transitions, `${r.kind}\u0000${r.key}\u0000${r.seq}\u0000${r.entry}`, r);
    for (const r of p.deadLetters ?? []) firstWins(deadLetters, r.id, r);
    for (const r of p.communications ?? []) greatestWins(communications, r.communicationId, r, compareState);
    for (const r of p.processes ?? []) greatestWins(processes, r.processKey, r, compareState);
    for (const r of p.credasResults ?? []) greatestWins(credasResults, r.processId, r, compareResult);
    for (const r of p.consoleAudit ?? []) firstWins(consoleAudit, r.actionId, r);
  }
  return {
    receipts: [...receipts.values()],
    events: [...events.values()],
    communications: [...communications.values()],
    processes: [...processes.values()],
    transitions: [...transitions.values()],
    credasResults: [...credasResults.values()],
    deadLetters: [...deadLetters.values()],
    redrives: [...redrives.values()],
    consoleAudit: [...consoleAudit.values()],
  };
}

/** Removes receipts and events whose month ended before the table's retention horizon (they would be dropped). */
export function withoutExpired(batch: ProjectionBatch, horizons: Readonly<Record<PartitionedTable, number>>): ProjectionBatch {
  return {
    ...batch,
    receipts: batch.receipts.filter((r) => !isExpired(r.partitionMs, horizons.receipts)),
    events: batch.events.filter((e) => !isExpired(e.receivedAtMs, horizons.events)),
  };
}

/** The months (epoch ms of their first instant) each partitioned table needs for this batch. */
export function monthsNeeded(batch: ProjectionBatch): Record<PartitionedTable, number[]> {
  return {
    receipts: [...new Set(batch.receipts.map((r) => monthStart(r.partitionMs)))],
    events: [...new Set(batch.events.map((e) => monthStart(e.receivedAtMs)))],
  };
}

function firstWins<T>(map: Map<string, T>, key: string, row: T): void {
  if (!map.has(key)) map.set(key, row);
}

function greatestWins<T>(map: Map<string, T>, key: string, row: T, compare: (a: T, b: T) => number): void {
  const current = map.get(key);
  if (current === undefined || compare(row, current) > 0) map.set(key, row);
}

/** The SQL guard's order: (seq, updated_at, state offset). */
export function compareState(a: CommunicationRow | ProcessRow, b: CommunicationRow | ProcessRow): number {
  return a.seq - b.seq || a.updatedAtMs - b.updatedAtMs || compareBigInt(a.stateOffset, b.stateOffset);
}

export function compareResult(a: CredasResultRow, b: CredasResultRow): number {
  return a.retrievedAtMs - b.retrievedAtMs || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);
}

function compareBigInt(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
