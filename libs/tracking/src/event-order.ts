import { InvalidRecordError } from '@hookbus/contracts';

/**
 * The total order in which the tracker's merge picks the event whose status a state shows. Taking the greatest of
 * a set under a total order is a join-semilattice (commutative, associative, idempotent), so the state a consumer
 * reads depends only on which events arrived, never on their order or on duplicates. Arrival order never decides.
 *
 * Order: version (Authvia: a lower version is stale; absent counts as lowest), then the status' rank in its
 * machine's table, then event time, then event id.
 */
export interface EventOrderKey {
  readonly version: number | null;
  readonly rank: number;
  /** Microseconds since the epoch (see timeKey). */
  readonly time: number;
  readonly id: string;
}

export function compareOrder(a: EventOrderKey, b: EventOrderKey): number {
  return (
    compareNumbers(a.version ?? -1, b.version ?? -1) ||
    compareNumbers(a.rank, b.rank) ||
    compareNumbers(a.time, b.time) ||
    compareStrings(a.id, b.id)
  );
}

const OFFSET = /(?:[zZ]|[+-]\d{2}:?\d{2})$/;
const FRACTION = /\.(\d+)/;

/**
 * An ISO 8601 time as microseconds since the epoch. Cellosign sends microseconds, which Date.parse drops; keeping
 * them avoids a tie decided by event id where the provider did order the events. A time without an offset is read
 * as UTC (the contract's event times are UTC).
 */
export function timeKey(iso: string): number {
  const withOffset = OFFSET.test(iso) ? iso : `${iso}Z`;
  const ms = Date.parse(withOffset);
  if (Number.isNaN(ms)) throw new InvalidRecordError('tracking.invalid_time', 'event time is not an ISO 8601 date-time');
  const digits = FRACTION.exec(iso)?.[1] ?? '';
  const micros = Number(digits.slice(3, 6).padEnd(3, '0'));
  return ms * 1000 + micros;
}

/** The later of two ISO times; equal instants written differently resolve by string order, never by arrival. */
export function laterTime(a: string, b: string): string {
  const order = compareNumbers(timeKey(a), timeKey(b)) || compareStrings(a, b);
  return order >= 0 ? a : b;
}

/**
 * Joins two values of an identifier learned from events (entityId, processId, continuedAs): a known value beats
 * null, and two different known values (which the providers never send for one key) resolve to the greater string,
 * so the result never depends on arrival order.
 */
export function joinId(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return compareStrings(a, b) >= 0 ? a : b;
}

/** The union of two sorted sets of strings, sorted. */
export function joinSet(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])].sort(compareStrings);
}

export function compareNumbers(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Code-unit order, independent of locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
