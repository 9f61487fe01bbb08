/**
 * What a viewer sees instead of a phone number or an email address: enough to tell two apart on one screen (the
 * first characters and the last two), not enough to call or write to anyone. Operators see the same unless they
 * ask to unmask (an audited action, POST /unmask).
 */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  const lead = phone.startsWith('+') ? `+${digits.slice(0, 2)}` : digits.slice(0, 2);
  return `${lead}${'•'.repeat(Math.max(3, digits.length - 4))}${digits.slice(-2)}`;
}

export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@') >= 0 ? email.lastIndexOf('@') : email.toUpperCase().lastIndexOf('%40');
  if (at < 0) return '•••';
  const domain = email.slice(at + (email[at] === '@' ? 1 : 3));
  const dot = domain.lastIndexOf('.');
  return `${[...email][0] ?? ''}•••@•••${dot >= 0 ? domain.slice(dot) : ''}`;
}

/**
 * What a viewer must not see, found in one left-to-right pass (one regular expression, one replace: linear in the
 * text, where a split/join per finding was quadratic — 8,000 numbers in 112 KB took 7 s). For a viewer the console
 * masks aggressively, unlike the logs' check (libs/platform findPersonalData, which must not cry wolf): over-masking a
 * number is acceptable, showing one is not.
 * - safe shapes first, kept as they are: a UUID, an ISO date or time;
 * - an email address, its local part in any script (u flag), its '@' possibly URL-encoded (`%40`);
 * - a phone number: a '+' (or `%2B`) then 7 or more digits, or any run of 9 or more digits, with common separators
 *   between them (space, NBSP, `-`, `.`, `/`, brackets, a `+` or `%20` of a URL), glued to letters or not — national
 *   numbers of any country, JSON numbers and communication ids such as `octapush:sms:0612345678` included.
 */
const UUID = String.raw`[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}(?![0-9A-Fa-f])`;
const ISO_TIME = String.raw`\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?(?!\d)`;
const EMAIL = String.raw`(?<![\p{L}\p{M}\p{N}._%+-])[\p{L}\p{M}\p{N}._%+-]+(?:@|%40)[\p{L}\p{M}\p{N}-]+(?:\.[\p{L}\p{M}\p{N}-]+)*\.(?:[\p{L}\p{M}]{2,}|xn--[A-Za-z0-9-]+)`;
const SEPARATOR = String.raw`(?:[ \t().\-/+\u00a0\u2009\u202f\u2013]|%20){0,2}`;
const PHONE = String.raw`(?:\+|%2[Bb])\p{Nd}(?:${SEPARATOR}\p{Nd}){6,}|\p{Nd}(?:${SEPARATOR}\p{Nd}){8,}`;
const FINDER = new RegExp(`(${UUID}|${ISO_TIME})|(${EMAIL})|(${PHONE})`, 'giu');

/** Every phone number and email address (and any longer digit run) in the text masked, in one pass. */
export function maskText(text: string): string {
  return text.replace(FINDER, (match: string, safe?: string, email?: string) => (safe ? match : email ? maskEmail(match) : maskPhone(match.replace(/^%2B/i, '+'))));
}

/**
 * Field names that hold personal data whatever their value looks like (a short national number is not recognised by
 * pattern): every value under them is masked whole — strings, numbers, and whole objects and lists.
 */
const PERSONAL_FIELD = /(phone|mobile|msisdn|e-?mail|recipient)/i;
const NOT_PERSONAL_FIELD = /status|description|type$/i;
/** Number fields whose long values are times, offsets or sizes, not phone numbers (epoch milliseconds, byte counts). */
const SAFE_NUMBER_FIELD = /(?:At|_at|Ms|_ms|Time|_time|^time|[tT]imestamp|Offset|^offset|_offset|Bytes|^bytes|_bytes|Size|^size|_size|Count|^count|_count|^seq|Seq|^partition)$/;

function maskWhole(value: string): string {
  return value.includes('@') ? maskEmail(value) : value.length > 0 ? maskPhone(value) : value;
}

function maskField(key: string, value: string): string {
  if (!PERSONAL_FIELD.test(key) || NOT_PERSONAL_FIELD.test(key)) return maskText(value);
  return maskWhole(value);
}

function maskNumber(key: string, value: number, personal: boolean): number | string {
  const text = String(value);
  if (personal) return maskWhole(text);
  if (SAFE_NUMBER_FIELD.test(key)) return value;
  const masked = maskText(text);
  return masked === text ? value : masked;
}

/**
 * A deep copy of a JSON-like value with personal data masked: values by pattern, every value under a personal field
 * whole (objects and lists included), numbers too, and object keys (a status per recipient keyed by the number).
 */
export function maskDeep<T>(value: T, key = '', personal = false): T {
  const inPersonal = personal || (PERSONAL_FIELD.test(key) && !NOT_PERSONAL_FIELD.test(key));
  if (typeof value === 'string') return (inPersonal && !NOT_PERSONAL_FIELD.test(key) ? maskWhole(value) : maskText(value)) as T;
  if (typeof value === 'number') return maskNumber(key, value, inPersonal && !NOT_PERSONAL_FIELD.test(key)) as T;
  if (typeof value === 'bigint') return maskNumber(key, Number(value), inPersonal) as T;
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, key, inPersonal)) as T;
  if (value instanceof Date || Buffer.isBuffer(value)) return value;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      let name = maskText(k);
      // Two keys that mask alike are both kept.
      for (let n = 2; name !== k && Object.prototype.hasOwnProperty.call(out, name); n += 1) name = `${maskText(k)} (${n})`;
      out[name] = maskDeep(v, k, inPersonal);
    }
    return out as T;
  }
  return value;
}

/** A URL query string (or a form body) with each personal field's value masked; its shape kept. */
export function maskQuery(query: string): string {
  if (!query) return query;
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return maskText(safeDecode(pair));
      const key = safeDecode(pair.slice(0, eq));
      const value = safeDecode(pair.slice(eq + 1));
      return `${maskText(key)}=${maskField(key, value)}`;
    })
    .join('&');
}

/** decodeURIComponent that keeps a malformed escape (`%E0%A4%A`) as written instead of throwing. */
export function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** How the current page renders personal data: masked unless an operator asked for it (POST /unmask). */
export interface PersonalDataView {
  readonly masked: boolean;
  text(value: string): string;
  deep<T>(value: T): T;
  query(value: string): string;
}

export function personalDataView(masked: boolean): PersonalDataView {
  return masked
    ? { masked, text: maskText, deep: (v) => maskDeep(v), query: maskQuery }
    : { masked, text: (v) => v, deep: (v) => v, query: (v) => v };
}
