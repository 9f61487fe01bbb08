/**
 * A state machine written down as a table: every status a machine knows, its rank in the machine's order, whether
 * it is final, and whether reaching it needs someone to act. The tracker's merge keeps the highest-ranked status it
 * has seen (see event-order.ts), so the rank IS the transition relation: a status can follow every status of a
 * lower rank, and nothing of a lower rank can follow it.
 */
export interface StatusRow<S extends string> {
  readonly status: S;
  readonly rank: number;
  readonly final: boolean;
  /** Set when reaching this status needs action: the `reason` announced on events.transitions.v1. */
  readonly action?: string;
  /**
   * The row describes only events whose `final` flag equals this. Octapush's documented `Unknown` is final, while a
   * status name Octapush never documented also normalizes to `unknown` but not final: only the first is ranked.
   */
  readonly onlyWhenFinal?: boolean;
}

export interface StatusTable<S extends string> {
  /** Names the machine in errors and docs, e.g. `octapush/viber`. */
  readonly machine: string;
  readonly rows: readonly StatusRow<S>[];
}

/**
 * The rank of a status the machine's table does not list (an `unknown` from a normalizer, or a canonical status
 * this provider never documented). It sits below every listed status, so it never overwrites known progress; it
 * only shows while nothing better has been seen.
 */
export const UNRANKED = 1;

/**
 * The row that describes a status, given the `final` flag the event (or a state built from one) carries. For a
 * listed status the table's flag equals the state's, so looking a state up again finds the same row.
 */
export function rowOf<S extends string>(table: StatusTable<S>, status: string, final: boolean): StatusRow<S> | undefined {
  return table.rows.find((row) => row.status === status && (row.onlyWhenFinal === undefined || row.onlyWhenFinal === final));
}

export function rankOf(table: StatusTable<string>, status: string, final: boolean): number {
  return rowOf(table, status, final)?.rank ?? UNRANKED;
}

/** The table decides finality for the statuses it lists; for others the normalizer's flag stands. */
export function finalOf(table: StatusTable<string>, status: string, eventFinal: boolean): boolean {
  return rowOf(table, status, eventFinal)?.final ?? eventFinal;
}

export function actionOf(table: StatusTable<string>, status: string, final: boolean): string | null {
  return rowOf(table, status, final)?.action ?? null;
}
