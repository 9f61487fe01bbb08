import { SCHEMA_DIALECT, nonEmptyString, schemaId, utcDateTime, uuid, type JsonSchemaObject } from './schema-fragments';

/**
 * What the console audits (console.audit.v1, codec console-audit.codec.ts). A new action is a widened enum: additive
 * for consumers (docs/compatibility.md).
 * - `login` / `login.refused` / `logout`: a session began (password or OpenID Connect), a login was refused (wrong
 *   password, unknown user, throttled: `detail` says which, never the password), a session ended.
 * - `redrive`: dead letters sent back to their original topic (target: the hookbus.dead_letters row ids).
 * - `credas.refetch`: a re-fetch command for a Credas process (target: the process key).
 * - `raw.replay`: a replay of a raw range (target: the topic and range).
 * - `unmask`: an operator asked to see personal data (target: the page it was asked on); for the next minutes every
 *   page shown unmasked is `view-unmasked` (target: what was shown, e.g. a search or a receipt id).
 */
export const CONSOLE_AUDIT_ACTIONS = ['login', 'login.refused', 'logout', 'redrive', 'credas.refetch', 'raw.replay', 'unmask', 'view-unmasked'] as const;
/** `ok`: done; `refused`: not allowed or not valid (403, 429, nothing matched), nothing done; `failed`: tried, an error. */
export const CONSOLE_AUDIT_OUTCOMES = ['ok', 'refused', 'failed'] as const;
/** The console's roles (CONSOLE.md); `none` for a refused login, whose user has no role yet. */
export const CONSOLE_AUDIT_ROLES = ['viewer', 'operator', 'none'] as const;
/** What a target's ids are. */
export const CONSOLE_AUDIT_TARGET_KINDS = ['session', 'dead-letter', 'process', 'raw-range', 'receipt', 'page'] as const;

/** Bounds the writer (the codec) holds to, so a row always fits and a record stays small. */
export const CONSOLE_AUDIT_LIMITS = { actor: 200, targetIds: 500, targetId: 1024, detail: 2000 } as const;

export const ConsoleAuditRecordSchema: JsonSchemaObject = {
  $schema: SCHEMA_DIALECT,
  $id: schemaId('ConsoleAuditRecord'),
  title: 'ConsoleAuditRecord',
  description: 'One action in the console: who (actor, role), what (action, target), when (at) and how it ended (outcome, detail). Never a password, a phone number or an email.',
  type: 'object',
  additionalProperties: false,
  required: ['actionId', 'at', 'actor', 'role', 'action', 'target', 'outcome', 'detail'],
  properties: {
    actionId: { ...uuid, description: 'Unique per action: the record key, and the key of its hookbus.console_audit row.' },
    at: utcDateTime,
    actor: { ...nonEmptyString, maxLength: CONSOLE_AUDIT_LIMITS.actor, description: 'The user name (config or OpenID Connect); for a refused login, the name tried.' },
    role: { enum: [...CONSOLE_AUDIT_ROLES] },
    action: { enum: [...CONSOLE_AUDIT_ACTIONS] },
    target: {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'ids'],
      properties: {
        kind: { enum: [...CONSOLE_AUDIT_TARGET_KINDS] },
        ids: { type: 'array', maxItems: CONSOLE_AUDIT_LIMITS.targetIds, items: { ...nonEmptyString, maxLength: CONSOLE_AUDIT_LIMITS.targetId } },
      },
    },
    outcome: { enum: [...CONSOLE_AUDIT_OUTCOMES] },
    detail: { type: 'string', maxLength: CONSOLE_AUDIT_LIMITS.detail, description: 'What happened, in a sentence (e.g. "2 redriven", "wrong password"); never personal data.' },
  },
};
