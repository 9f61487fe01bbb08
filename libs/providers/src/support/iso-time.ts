import { DateTime } from 'luxon';

/**
 * Converting a provider's date-time text to UTC ISO 8601, as luxon does (`DateTime.fromISO(text, { zone })` then
 * `toUTC().toISO()`), without luxon for the common forms. luxon's ISO parser was about 5 % of the normalizer's CPU
 * (Authvia's updatedAt, Cellosign's timestamp): a full `YYYY-MM-DDTHH:mm:ss[.fraction]` with `Z` or `±HH:mm` — or
 * without an offset in a UTC source — is converted here by arithmetic; anything else (another zone, a week date, an
 * hour 24, a second 60, a year outside 1000–9999 ...) goes to luxon, so every answer is luxon's. The spec
 * (iso-time.spec.ts) compares both on generated texts.
 */
const COMMON_ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,30}))?(Z|[+-]\d{2}:\d{2})?$/;
const UTC_ZONES = new Set(['UTC', 'Etc/UTC']);
const knownZones = new Map<string, boolean>();

/** What luxon says of `zone` (an unknown zone makes every conversion invalid); asked once per zone name. */
function isKnownZone(zone: string): boolean {
  let known = knownZones.get(zone);
  if (known === undefined) {
    known = DateTime.now().setZone(zone).isValid;
    // Zones come from the sources' configuration: a handful. Bounded anyway.
    if (knownZones.size < 1000) knownZones.set(zone, known);
  }
  return known;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The UTC ISO text for the common forms, or undefined to leave the text to luxon. */
function commonIsoToUtc(text: string, zone: string): string | undefined {
  const m = COMMON_ISO.exec(text);
  if (!m) return undefined;
  const [, ys, mos, ds, hs, mis, ss, fraction, offset] = m;
  if (offset === undefined && !UTC_ZONES.has(zone)) return undefined;
  if (!isKnownZone(zone)) return undefined;
  const year = Number(ys);
  const month = Number(mos);
  const day = Number(ds);
  const hour = Number(hs);
  const minute = Number(mis);
  const second = Number(ss);
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (offset !== undefined && offset !== 'Z') {
    const offsetHours = Number(offset.slice(1, 3));
    const offsetMins = Number(offset.slice(4, 6));
    if (offsetHours > 23 || offsetMins > 59) return undefined;
    offsetMinutes = (offset[0] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  // luxon's own rounding of a fraction of a second (impl/util.js parseMillis): truncated to milliseconds.
  const millis = fraction === undefined ? 0 : Math.floor(parseFloat(`0.${fraction}`) * 1000);
  const instant = new Date(Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000);
  const utcYear = instant.getUTCFullYear();
  if (utcYear < 1000 || utcYear > 9999) return undefined;
  return instant.toISOString();
}

/** `text` read in `zone` unless it carries an offset, as UTC ISO 8601 with milliseconds; null when luxon finds it invalid. */
export function isoToUtc(text: string, zone: string, setZone: boolean): string | null {
  const trimmed = text.trim();
  const common = commonIsoToUtc(trimmed, zone);
  if (common !== undefined) return common;
  const parsed = DateTime.fromISO(trimmed, { zone, setZone });
  if (!parsed.isValid) return null;
  return parsed.toUTC().toISO({ suppressMilliseconds: false });
}
