// Reading fields of a record's JSON tolerantly: the projector keeps what it cannot interpret rather than refuse it. Part of record-projection.ts's projectRecord, split along its record families.
export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseObject(json: string | undefined): Json | null {
  if (!json) return null;
  try {
    const parsed: unknown = JSON.parse(json);
    return isObject(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

export function text(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export function isUuid(value: string | null): boolean {
  return value !== null && UUID.test(value);
}

const OFFSET = /(?:[zZ]|[+-]\d{2}:?\d{2})$/;
/** Contract event times are UTC; a time written without an offset is read as UTC, never as the server's zone. */
export function withZone(iso: string): string {
  if (!iso) return iso;
  return OFFSET.test(iso) || !/T\d/.test(iso) ? iso : `${iso}Z`;
}

export function isoOr(value: string | undefined, fallbackMs: number): string {
  if (value && !Number.isNaN(Date.parse(value))) return value;
  return new Date(fallbackMs).toISOString();
}
