import { parsePhoneNumberFromString, type CountryCode, type PhoneNumber } from 'libphonenumber-js/max';

function parse(text: string, region?: string): PhoneNumber | undefined {
  try {
    return parsePhoneNumberFromString(text, region as CountryCode | undefined);
  } catch {
    // libphonenumber-js throws on some unexpected inputs (e.g. an unknown region); treat as unparseable.
    return undefined;
  }
}

/**
 * The phone number in E.164 where the number allows, so the same recipient written as "+30 691 234 5678",
 * "00306912345678", "306912345678" or (with region GR) "6912345678" yields one message key. Tried in order:
 * an explicit international form (+ or 00), the source's default region, then the digits as an international
 * number without '+' (Octapush tokens often carry 3069... that way), then a merely possible number of the default
 * region. A number none of these accept is kept as its digits (or as given when it has none): never an error,
 * since the message key must still be built.
 */
export function normalizePhone(value: string, defaultRegion: string | null): string {
  const given = value.trim();
  const digits = given.replace(/\D/g, '');
  if (digits === '') return given;
  const explicit = explicitInternational(given, digits);
  if (explicit !== null) {
    const parsed = parse(explicit);
    // The country code is written out, so a possible number is trusted even where metadata says "not valid". The
    // length check first: it settles almost every number, and the full validation (each number type's pattern) is
    // what made this line the costliest step of the gateway's Octapush routing key.
    if (parsed && (parsed.isPossible() || parsed.isValid())) return parsed.number;
    return digits;
  }
  const national = defaultRegion ? parse(given, defaultRegion) : undefined;
  if (national?.isValid()) return national.number;
  const international = parse(`+${digits}`);
  if (international?.isValid()) return international.number;
  // Metadata lags behind newly allocated ranges: a number that fits the default region's lengths is still its own.
  if (national?.isPossible()) return national.number;
  return digits;
}

function explicitInternational(given: string, digits: string): string | null {
  if (given.startsWith('+')) return `+${digits}`;
  if (digits.startsWith('00')) return `+${digits.slice(2)}`;
  return null;
}
