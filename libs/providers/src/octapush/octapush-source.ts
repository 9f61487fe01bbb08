import type { SourceProfile } from '../source-profile';

/** Octapush calls back with GET (query string) or POST (docs/providers/octapush.md). */
export const OCTAPUSH_SOURCE = {
  kinds: ['sms', 'viber'],
  defaultMethods: ['GET', 'POST'],
  defaultMaxBodyBytes: null,
} as const satisfies SourceProfile;

export interface OctapushFields {
  /** Query/body name holding the status (a status in the URL path wins). */
  readonly status: string;
  /** Query/body name holding the recipient's phone number. */
  readonly phone: string;
}

export interface OctapushOptions {
  readonly fields: OctapushFields;
  /** Which tokens identify a message (default: the phone number's field). */
  readonly messageKey: readonly string[];
}

/** The config loader's reader of an optional string option: pushes its problem and returns undefined when invalid. */
export type OptionalStringReader = (raw: Readonly<Record<string, unknown>>, key: string, path: string, problems: string[]) => string | undefined;

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A source's Octapush options, `fields` and `messageKey` (docs/providers/octapush.md), read from its config mapping
 * `raw` at `path`; problems are pushed in the config loader's words (libs/config reads every source's).
 */
export function parseOctapushOptions(raw: Readonly<Record<string, unknown>>, path: string, problems: string[], optionalString: OptionalStringReader): OctapushOptions {
  const fieldsRaw = isMapping(raw.fields) ? raw.fields : {};
  if (raw.fields !== undefined && !isMapping(raw.fields)) problems.push(`${path}.fields: expected a mapping`);
  const messageKeyRaw = raw.messageKey;
  let messageKey: string[] = [];
  if (messageKeyRaw !== undefined) {
    const list = typeof messageKeyRaw === 'string' ? [messageKeyRaw] : messageKeyRaw;
    if (!Array.isArray(list) || list.length === 0 || list.some((k) => typeof k !== 'string' || k === '')) {
      problems.push(`${path}.messageKey: expected a token name or a list of them`);
    } else messageKey = list as string[];
  }
  const fields = {
    status: optionalString(fieldsRaw, 'status', `${path}.fields`, problems) ?? 'status',
    phone: optionalString(fieldsRaw, 'phone', `${path}.fields`, problems) ?? 'phone',
  };
  return { fields, messageKey: messageKey.length > 0 ? messageKey : [fields.phone] };
}
