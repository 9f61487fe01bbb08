import { InvalidRecordError } from '@hookbus/contracts';

export const DEFAULT_MAX_JSON_DEPTH = 64;

export class UnsupportedContentTypeError extends InvalidRecordError {
  constructor(contentType: string) {
    super('providers.unsupported_content_type', `content type ${JSON.stringify(contentType.slice(0, 100))} is not supported; send application/json or application/x-www-form-urlencoded`);
  }
}

/** The media type without parameters, lower case; null when absent. */
export function mediaType(contentType: string | null | undefined): string | null {
  if (!contentType) return null;
  const type = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return type === '' ? null : type;
}

function isJsonType(type: string): boolean {
  return type === 'application/json' || type === 'text/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

/**
 * Depth of the deepest array/object nesting, counted without parsing (strings skipped), so a 10,000-deep body is
 * refused before JSON.parse could exhaust the stack.
 */
export function jsonNestingDepth(text: string, stopAbove = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > stopAbove) return max;
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

/** Parses JSON text. Keys like `__proto__` stay plain own properties (JSON.parse never touches prototypes). */
export function parseJsonText(text: string, maxDepth = DEFAULT_MAX_JSON_DEPTH): unknown {
  if (jsonNestingDepth(text, maxDepth) > maxDepth) {
    throw new InvalidRecordError('providers.json_too_deep', `JSON nesting deeper than ${maxDepth} levels`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    // V8's message quotes the text around the fault ("Unexpected token 'p', "phone=+30…" is not valid JSON"): this
    // message reaches quarantine records and logs, so it keeps only where the text breaks.
    const position = /at position (\d+)/.exec((error as Error).message)?.[1];
    throw new InvalidRecordError('providers.malformed_json', `body is not valid JSON${position === undefined ? '' : ` (at position ${position})`}`);
  }
}

/** Form fields into a null-prototype object (the first value of a repeated name wins). */
export function parseForm(text: string): Record<string, string> {
  const fields: Record<string, string> = Object.create(null);
  for (const [name, value] of new URLSearchParams(text)) {
    if (!(name in fields)) fields[name] = value;
  }
  return fields;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(body: Buffer): string {
  try {
    return utf8.decode(body);
  } catch {
    throw new InvalidRecordError('providers.invalid_utf8', 'body is not valid UTF-8');
  }
}

/**
 * Decodes a webhook body by its content type. Empty bodies decode to null (Octapush GET callbacks carry
 * everything in the query string). Throws InvalidRecordError: `providers.unsupported_content_type` (HTTP 415),
 * `providers.malformed_json`, `providers.json_too_deep`, `providers.invalid_utf8` (HTTP 400).
 */
export function decodeBody(body: Buffer, contentType: string | null, maxDepth = DEFAULT_MAX_JSON_DEPTH): unknown {
  if (body.length === 0) return null;
  const type = mediaType(contentType);
  // A body without a content type is read as JSON: some providers omit the header.
  if (type === null || isJsonType(type)) return parseJsonText(decodeUtf8(body), maxDepth);
  if (type === 'application/x-www-form-urlencoded') return parseForm(decodeUtf8(body));
  if (type === 'text/plain') {
    const text = decodeUtf8(body).trim();
    if (text.startsWith('{') || text.startsWith('[')) return parseJsonText(text, maxDepth);
  }
  throw new UnsupportedContentTypeError(contentType ?? '');
}

export function queryToObject(query: string): Record<string, string> {
  return parseForm(query.startsWith('?') ? query.slice(1) : query);
}
