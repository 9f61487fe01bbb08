import { isoToUtc } from '../support/iso-time';

/**
 * Cellosign's event.timestamp is naive with microseconds (`2025-01-26T08:49:33.626046`,
 * docs/providers/cellosign.md#timestamp): it is read in the source's time zone. A timestamp that does carry an offset
 * is read with that offset. Returns UTC ISO 8601 with milliseconds (microseconds truncated), or null when the text is
 * not an ISO date-time.
 */
export function cellosignTimeToUtc(timestamp: string, zone: string): string | null {
  return isoToUtc(timestamp, zone, true);
}
