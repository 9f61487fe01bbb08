import { findPersonalData } from '@hookbus/platform';

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
  const at = email.lastIndexOf('@');
  if (at < 0) return '•••';
  const domain = email.slice(at + 1);
  const dot = domain.lastIndexOf('.');
  return `${email[0] ?? ''}•••@•••${dot >= 0 ? domain.slice(dot) : ''}`;
}

/** Every phone number and email address found in the text, masked (libs/platform's finder: the logs' own check). */
export function maskText(text: string): string {
  const findings = findPersonalData(text.split('\n'));
  if (findings.length === 0) return text;
  let out = text;
  // Longest first, so a number that contains another one is masked whole.
  for (const finding of [...findings].sort((a, b) => b.match.length - a.match.length)) {
    out = out.split(finding.match).join(finding.kind === 'email' ? maskEmail(finding.match) : maskPhone(finding.match));
  }
  return out;
}

/**
 * Field names that hold personal data whatever their value looks like (a national number without a country code is
 * not recognised as a phone by the finder): their string values are masked whole.
 */
const PERSONAL_FIELD = /(phone|mobile|msisdn|e-?mail)/i;

function maskField(key: string, value: string): string {
  if (!PERSONAL_FIELD.test(key) || /status|description|type$/i.test(key)) return maskText(value);
  return value.includes('@') ? maskEmail(value) : value.length > 0 ? maskPhone(value) : value;
}

/** A deep copy of a JSON-like value with personal data masked (object keys are kept). */
export function maskDeep<T>(value: T, key = ''): T {
  if (typeof value === 'string') return (key ? maskField(key, value) : maskText(value)) as T;
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, key)) as T;
  if (value instanceof Date || Buffer.isBuffer(value)) return value;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, maskDeep(v, k)])) as T;
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
      return `${key}=${maskField(key, value)}`;
    })
    .join('&');
}

function safeDecode(text: string): string {
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
