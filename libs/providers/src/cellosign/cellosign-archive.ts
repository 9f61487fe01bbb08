import { createHash } from 'node:crypto';
import { InvalidRecordError } from '@hookbus/contracts';

/** Strings above this many UTF-8 bytes leave the event and are described instead (the raw record keeps them). */
export const MAX_INLINE_STRING_BYTES = 4 * 1024;
/** Deeper than any JSON the gateway accepts (decode-body's 64 levels): a guard for hand-built input. */
const MAX_DEPTH = 128;

/**
 * Stands in for a string that was too large to carry in an event: where to get it (the receipt and a JSON pointer
 * into its raw body, RFC 6901) and how to check it (size and SHA-256 of the string's UTF-8 bytes).
 */
export interface OmittedValue {
  readonly omitted: true;
  readonly bytes: number;
  readonly sha256: string;
  readonly pointer: string;
  readonly receiptId: string;
  /** 'base64' when the text is base64 (or a base64 data: URL), else 'text'. */
  readonly encoding: 'base64' | 'text';
  /** What the content looks like (data: URL type or file signature), null when it does not say. */
  readonly mediaType: string | null;
}

/** What a WHP_ARCHIVE held that the event does not carry. */
export interface CellosignArchive {
  readonly receiptId: string;
  readonly items: readonly OmittedValue[];
}

export interface ReducedPayload {
  readonly value: unknown;
  readonly omitted: readonly OmittedValue[];
}

function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

const DATA_URL = /^data:([a-z0-9.+-]+\/[a-z0-9.+-]+)?(?:;[a-z0-9=.+-]+)*;base64,/i;
/** Any character outside the base64 alphabet (line breaks allowed); a single class, so linear on megabytes. */
const NOT_BASE64 = /[^A-Za-z0-9+/=\r\n]/;
/** Base64 of the first bytes of common archive contents (file signatures). */
const SIGNATURES: ReadonlyArray<readonly [string, string]> = [
  ['JVBERi0', 'application/pdf'],
  ['iVBORw0KGgo', 'image/png'],
  ['/9j/', 'image/jpeg'],
  ['R0lGOD', 'image/gif'],
  ['UEsDB', 'application/zip'],
];

function describeContent(text: string): { encoding: 'base64' | 'text'; mediaType: string | null } {
  const dataUrl = DATA_URL.exec(text.slice(0, 200));
  if (dataUrl) return { encoding: 'base64', mediaType: dataUrl[1]?.toLowerCase() ?? null };
  if (NOT_BASE64.test(text)) return { encoding: 'text', mediaType: null };
  const signature = SIGNATURES.find(([prefix]) => text.startsWith(prefix));
  return { encoding: 'base64', mediaType: signature ? signature[1] : null };
}

function isLarge(text: string): boolean {
  // A UTF-16 code unit is at most 3 UTF-8 bytes, so short strings need no byte count.
  return text.length * 3 > MAX_INLINE_STRING_BYTES && Buffer.byteLength(text, 'utf8') > MAX_INLINE_STRING_BYTES;
}

/**
 * A copy of a JSON payload with every string above MAX_INLINE_STRING_BYTES replaced by an OmittedValue. Objects are
 * rebuilt with Object.fromEntries, so a `__proto__` or `constructor` key stays an own property of the copy.
 */
export function omitLargeStrings(payload: unknown, receiptId: string): ReducedPayload {
  const omitted: OmittedValue[] = [];
  const walk = (value: unknown, pointer: string, depth: number): unknown => {
    if (depth > MAX_DEPTH) throw new InvalidRecordError('providers.json_too_deep', `JSON nesting deeper than ${MAX_DEPTH} levels`);
    if (typeof value === 'string') {
      if (!isLarge(value)) return value;
      const bytes = Buffer.from(value, 'utf8');
      const descriptor: OmittedValue = {
        omitted: true,
        bytes: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        pointer,
        receiptId,
        ...describeContent(value),
      };
      omitted.push(descriptor);
      return descriptor;
    }
    if (Array.isArray(value)) return value.map((item, i) => walk(item, `${pointer}/${i}`, depth + 1));
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.keys(value).map((k) => [k, walk((value as Record<string, unknown>)[k], `${pointer}/${escapePointerToken(k)}`, depth + 1)]));
    }
    return value;
  };
  return { value: walk(payload, '', 0), omitted };
}
