import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** A phone number or email address found in text that must not carry any (a log line, an error message). */
export interface PersonalDataFinding {
  readonly kind: 'phone' | 'email';
  /** The text that matched, as it appears. */
  readonly match: string;
  /** Index of the line (of the lines given) it was found in. */
  readonly line: number;
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
/**
 * Digit runs that could be a phone number: an optional '+', then 7 to 17 digits with the usual separators, not part
 * of a longer word (so the hex of a UUID or a hash does not count) — `octapush:sms:+306912345678` and a JSON
 * `"phone":"+44 7911 123456"` both match.
 */
const PHONE_CANDIDATE = /(?<![\w+])\+?\d(?:[ ().-]{0,2}\d){6,16}(?![\w])/g;

/**
 * Finds phone numbers and email addresses. A candidate with a '+' counts when it is a possible international number;
 * one without counts when it is a valid number written internationally without its '+' (E.164 digits, 11-15 of
 * them) or nationally in the UK. Valid means in an allocated range (libphonenumber's full metadata), which keeps
 * timestamps, offsets and byte counts out; the fictional Ofcom 07700 900xxx range is "possible", not "valid".
 */
export function findPersonalData(text: string | readonly string[]): PersonalDataFinding[] {
  const lines = typeof text === 'string' ? text.split('\n') : text;
  const findings: PersonalDataFinding[] = [];
  lines.forEach((content, line) => {
    for (const match of content.matchAll(EMAIL)) findings.push({ kind: 'email', match: match[0], line });
    for (const match of content.matchAll(PHONE_CANDIDATE)) {
      if (isPhoneNumber(match[0])) findings.push({ kind: 'phone', match: match[0], line });
    }
  });
  return findings;
}

function isPhoneNumber(candidate: string): boolean {
  const digits = candidate.replace(/\D/g, '');
  if (candidate.startsWith('+')) return parsePhoneNumberFromString(`+${digits}`)?.isPossible() ?? false;
  if (digits.length >= 11 && digits.length <= 15 && parsePhoneNumberFromString(`+${digits}`)?.isValid()) return true;
  return parsePhoneNumberFromString(digits, 'GB')?.isValid() ?? false;
}
