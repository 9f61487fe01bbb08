import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTRACT_SCHEMAS, SCHEMA_BASE_URI, topicContracts, type JsonSchemaObject, type TopicContract } from '../libs/contracts/src/schemas';
import { DEPRECATIONS_PATH, repositoryRoot } from './docs-topics';

/**
 * The compatibility gate (docs/compatibility.md): every topic's key, headers and value schemas as last released are
 * kept in contracts/released.json; `compareContracts` lists each change to them that breaks a consumer. The spec
 * scripts/contracts-gate.spec.ts runs it against the current contract on every `npm test`, so CI fails on a break.
 *
 *   npm run contracts:check                 # exit 1 and one line per breaking change
 *   npm run contracts:release [-- <version>] # on a release: the current contract becomes the snapshot
 */
export const RELEASED_PATH = 'contracts/released.json';

export { DEPRECATIONS_PATH };

export type Schema = JsonSchemaObject;

export interface MessageSnapshot {
  readonly contentType: string;
  readonly encoding: 'json' | 'bytes';
  readonly key: Schema;
  readonly headers: Schema;
  readonly payload: Schema;
}

export interface TopicSnapshot {
  /** The topic's key as declared (libs/contracts/src/topics.ts): which entity a record is about. */
  readonly key: string;
  /** YYYY-MM-DD (UTC): the day of the first release that shipped the topic; the deprecation period counts from it. */
  readonly firstReleasedOn?: string;
  readonly messages: Readonly<Record<string, MessageSnapshot>>;
}

export interface ContractSnapshot {
  readonly release: string;
  /** YYYY-MM-DD (UTC): the day `contracts:release` wrote the snapshot. */
  readonly releasedOn?: string;
  readonly topics: Readonly<Record<string, TopicSnapshot>>;
}

/** A released topic replaced by a higher version and still written until `writtenUntil` (contracts/deprecations.json). */
export interface Deprecation {
  readonly topic: string;
  readonly successor: string;
  /** YYYY-MM-DD (UTC): the old topic is written until this day; only after it may it disappear from the contract. */
  readonly writtenUntil: string;
  readonly reason: string;
}

export type BreakingKind =
  | 'topic-removed'
  | 'message-removed'
  | 'content-type-changed'
  | 'key-changed'
  | 'field-removed'
  | 'field-renamed'
  | 'type-changed'
  | 'new-required-field'
  | 'field-made-optional'
  | 'enum-narrowed'
  | 'constraint-changed'
  | 'deprecation-missing'
  | 'deprecation-invalid';

export interface BreakingChange {
  readonly topic: string;
  /** `message-name.key|headers|payload.<field path>`, or '' for the topic itself. */
  readonly path: string;
  readonly kind: BreakingKind;
  readonly reason: string;
}

// ---------------------------------------------------------------------------------------------------------------
// The snapshot of a contract

const byId = new Map(CONTRACT_SCHEMAS.map((s) => [String(s.$id), s]));

/** A schema with every `$ref` to another contract schema inlined and $schema/$id dropped: self-contained. */
export function inlineSchema(schema: unknown, resolving: readonly string[] = []): unknown {
  if (Array.isArray(schema)) return schema.map((item) => inlineSchema(item, resolving));
  if (typeof schema !== 'object' || schema === null) return schema;
  const object = schema as Schema;
  if (typeof object.$ref === 'string' && object.$ref.startsWith(SCHEMA_BASE_URI)) {
    const target = byId.get(object.$ref);
    if (!target) throw new Error(`$ref ${object.$ref} names no contract schema`);
    if (resolving.includes(object.$ref)) throw new Error(`$ref cycle through ${object.$ref}: the snapshot inlines schemas`);
    const { $ref: _ref, ...siblings } = object;
    return { ...(inlineSchema(target, [...resolving, object.$ref]) as Schema), ...(inlineSchema(siblings, resolving) as Schema) };
  }
  const out: Record<string, unknown> = {};
  for (const [keyword, value] of Object.entries(object)) {
    if (keyword === '$schema' || keyword === '$id') continue;
    out[keyword] = inlineSchema(value, resolving);
  }
  return out;
}

export function snapshotOf(contracts: readonly TopicContract[], release: string): ContractSnapshot {
  const topics: Record<string, TopicSnapshot> = {};
  for (const { topic, messages } of contracts) {
    topics[topic.name] = {
      key: topic.key,
      messages: Object.fromEntries(
        messages.map((m) => [
          m.name,
          {
            contentType: m.contentType,
            encoding: m.encoding,
            key: inlineSchema(m.key) as Schema,
            headers: inlineSchema(m.headers) as Schema,
            payload: inlineSchema(m.payload) as Schema,
          },
        ]),
      ),
    };
  }
  return { release, topics };
}

export function currentSnapshot(release = 'current'): ContractSnapshot {
  return snapshotOf(topicContracts(), release);
}

// ---------------------------------------------------------------------------------------------------------------
// Comparing schemas

/** Keywords that document and never change what a record may hold. Everything else is compared (fail closed). */
const ANNOTATIONS = new Set(['title', 'description', 'examples', '$comment', 'deprecated', 'readOnly', 'writeOnly', 'default']);

/** Keywords whose value is one schema. */
const SCHEMA_KEYWORDS = ['items', 'additionalProperties', 'if', 'then', 'else', 'not', 'contains', 'propertyNames', 'additionalItems', 'unevaluatedProperties', 'unevaluatedItems'] as const;
/** Keywords whose value is a list of schemas. */
const SCHEMA_LIST_KEYWORDS = ['anyOf', 'oneOf', 'allOf', 'prefixItems'] as const;
/** Keywords whose value maps names (property names, patterns, definition names) to schemas. */
const SCHEMA_MAP_KEYWORDS = ['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas'] as const;
/** Keywords whose value is a set: order carries no meaning. */
const SET_KEYWORDS = new Set(['required', 'enum', 'type']);

/**
 * A schema without annotations, with sorted keys and sorted sets: equal text means equal meaning (as far as the gate
 * looks). Annotations are stripped only where a schema is: a property called `description` inside `properties`, or
 * an object value inside `const`/`enum`, is data and stays.
 */
export function canonical(schema: unknown): string {
  return JSON.stringify(canonicalSchema(schema));
}

function sortedValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedValue);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortedValue((value as Record<string, unknown>)[k])]));
}

function canonicalSchema(schema: unknown): unknown {
  if (!isSchemaObject(schema)) return sortedValue(schema); // true/false schemas, or a malformed value compared as data
  const out: Record<string, unknown> = {};
  for (const keyword of Object.keys(schema).sort()) {
    if (ANNOTATIONS.has(keyword)) continue;
    const value = schema[keyword];
    if ((SCHEMA_KEYWORDS as readonly string[]).includes(keyword)) out[keyword] = Array.isArray(value) ? value.map(canonicalSchema) : canonicalSchema(value);
    else if ((SCHEMA_LIST_KEYWORDS as readonly string[]).includes(keyword) && Array.isArray(value)) out[keyword] = value.map(canonicalSchema);
    else if ((SCHEMA_MAP_KEYWORDS as readonly string[]).includes(keyword) && isSchemaObject(value)) {
      out[keyword] = Object.fromEntries(Object.keys(value).sort().map((name) => [name, canonicalSchema(value[name])]));
    } else if (SET_KEYWORDS.has(keyword) && Array.isArray(value)) out[keyword] = value.map(sortedValue).sort((a, b) => show(a).localeCompare(show(b)));
    else out[keyword] = sortedValue(value);
  }
  return out;
}

function isSchemaObject(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const JSON_TYPES = ['array', 'boolean', 'integer', 'null', 'number', 'object', 'string'] as const;

function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** `integer` is part of `number`: a set naming `number` admits integers. */
function withImplied(types: Set<string>): Set<string> {
  return types.has('number') ? new Set([...types, 'integer']) : types;
}

/**
 * The JSON types a schema admits: its `type`, the types of its `enum`/`const` values, the union over `anyOf`/`oneOf`
 * alternatives and the intersection over `allOf` parts. All types when nothing restricts them.
 */
export function admittedTypes(schema: unknown): Set<string> {
  if (schema === false) return new Set();
  if (!isSchemaObject(schema)) return new Set(JSON_TYPES);
  let types: Set<string> = new Set(JSON_TYPES);
  const restrict = (to: Set<string>): void => {
    const implied = withImplied(to);
    types = new Set([...types].filter((t) => implied.has(t)));
  };
  if (schema.type !== undefined) restrict(new Set(Array.isArray(schema.type) ? (schema.type as string[]) : [String(schema.type)]));
  const values = allowedValues(schema);
  if (values !== null) {
    // `type: number` admits integer and number (implied above); `enum: [2]` keeps integer only.
    const valueTypes = new Set(values.map(jsonTypeOf));
    types = new Set([...types].filter((t) => valueTypes.has(t)));
  }
  for (const combinator of ['anyOf', 'oneOf'] as const) {
    if (Array.isArray(schema[combinator])) restrict(new Set((schema[combinator] as unknown[]).flatMap((alt) => [...admittedTypes(alt)])));
  }
  if (Array.isArray(schema.allOf)) for (const part of schema.allOf as unknown[]) restrict(admittedTypes(part));
  return types;
}

function typeSetText(types: Set<string>): string {
  return types.size === JSON_TYPES.length ? 'any' : [...types].sort().join('|') || 'nothing';
}

/** The values a schema allows when it lists them (enum or const), else null (any value of its type). */
function allowedValues(schema: Schema): unknown[] | null {
  if ('const' in schema) return [schema.const];
  return Array.isArray(schema.enum) ? schema.enum : null;
}

function schemaMap(schema: Schema, keyword: string): Record<string, Schema> {
  return isSchemaObject(schema[keyword]) ? (schema[keyword] as Record<string, Schema>) : {};
}

function requiredOf(schema: Schema): Set<string> {
  return new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
}

type Emit = (path: string, kind: BreakingKind, reason: string) => void;

const show = (value: unknown): string => JSON.stringify(value);

/** Keywords compared by the specific checks below; any other keyword that differs is a break (fail closed). */
const COMPARED = new Set<string>([
  'type', 'enum', 'const', 'format', 'pattern', 'required',
  ...SCHEMA_KEYWORDS, ...SCHEMA_LIST_KEYWORDS, ...SCHEMA_MAP_KEYWORDS,
]);

/**
 * What in `current` breaks a consumer written against `released`, one emit per break. Additive changes (a new
 * optional field, a widened enum, a new description) emit nothing. Fails closed: a keyword the checks below do not
 * understand is a break whenever its value changes, even when the change widens what is allowed.
 */
export function compareSchemas(released: Schema, current: Schema, path: string, emit: Emit): void {
  if (canonical(released) === canonical(current)) return;
  if (!isSchemaObject(released) || !isSchemaObject(current)) {
    emit(path, 'type-changed', `schema ${canonical(released)} became ${canonical(current)}`);
    return;
  }

  const [oldTypes, newTypes] = [admittedTypes(released), admittedTypes(current)];
  if (typeSetText(oldTypes) !== typeSetText(newTypes)) emit(path, 'type-changed', `type ${typeSetText(oldTypes)} became ${typeSetText(newTypes)}`);

  const [oldValues, newValues] = [allowedValues(released), allowedValues(current)];
  if (newValues !== null) {
    if (oldValues === null) emit(path, 'enum-narrowed', `any value was allowed, now only ${show(newValues)}`);
    else {
      const kept = new Set(newValues.map((v) => canonical(v)));
      const dropped = oldValues.filter((v) => !kept.has(canonical(v)));
      if (dropped.length > 0) emit(path, 'enum-narrowed', `no longer sends ${dropped.map(show).join(', ')}`);
    }
  }

  for (const keyword of ['format', 'pattern'] as const) {
    if (show(released[keyword]) !== show(current[keyword])) {
      emit(path, 'constraint-changed', `${keyword} ${show(released[keyword]) ?? 'none'} became ${show(current[keyword]) ?? 'none'}`);
    }
  }

  compareObjects(released, current, path, emit);
  compareArrays(released, current, path, emit);
  for (const combinator of ['anyOf', 'oneOf', 'allOf'] as const) compareAlternatives(released, current, combinator, path, emit);

  // Conditionals and the other subschemas: a change inside them changes which records are valid.
  for (const keyword of ['if', 'then', 'else', 'not', 'contains', 'propertyNames', 'unevaluatedProperties', 'unevaluatedItems'] as const) {
    compareSubschema(released[keyword], current[keyword], `${path}.${keyword}`, keyword, emit);
  }
  for (const keyword of ['patternProperties', '$defs', 'definitions', 'dependentSchemas'] as const) {
    const [oldMap, newMap] = [schemaMap(released, keyword), schemaMap(current, keyword)];
    for (const name of new Set([...Object.keys(oldMap), ...Object.keys(newMap)])) {
      compareSubschema(oldMap[name], newMap[name], `${path}.${keyword}[${show(name)}]`, `${keyword} ${show(name)}`, emit);
    }
  }

  // Fail closed: every other keyword, compared by value.
  for (const keyword of new Set([...Object.keys(released), ...Object.keys(current)])) {
    if (COMPARED.has(keyword) || ANNOTATIONS.has(keyword)) continue;
    if (canonical(released[keyword]) !== canonical(current[keyword])) {
      emit(path, 'constraint-changed', `${keyword} ${show(released[keyword]) ?? 'none'} became ${show(current[keyword]) ?? 'none'}`);
    }
  }
}

/** A subschema under `keyword`: compared when both have one; added or removed, it changes what is valid. */
function compareSubschema(released: unknown, current: unknown, path: string, what: string, emit: Emit): void {
  if (released === undefined && current === undefined) return;
  if (released === undefined || current === undefined) {
    emit(path, 'constraint-changed', `${what} ${released === undefined ? 'added' : 'removed'}`);
    return;
  }
  compareSchemas(released as Schema, current as Schema, path, emit);
}

/** additionalProperties absent is the same as `true`: any other field allowed. */
function extraFieldsSchema(schema: Schema): Schema | false {
  const extra = schema.additionalProperties;
  if (extra === false) return false;
  return isSchemaObject(extra) ? extra : {};
}

function compareObjects(released: Schema, current: Schema, path: string, emit: Emit): void {
  const [oldProps, newProps] = [schemaMap(released, 'properties'), schemaMap(current, 'properties')];
  const [oldRequired, newRequired] = [requiredOf(released), requiredOf(current)];
  const added = Object.keys(newProps).filter((name) => !(name in oldProps));
  const renameTargets = new Set<string>();

  for (const name of Object.keys(oldProps)) {
    if (name in newProps) {
      compareSchemas(oldProps[name]!, newProps[name]!, `${path}.${name}`, emit);
      continue;
    }
    // A field gone while another of the same shape appeared is most likely a rename; either way consumers lose it.
    const target = added.find((a) => !renameTargets.has(a) && canonical(newProps[a]) === canonical(oldProps[name]));
    if (target !== undefined) {
      renameTargets.add(target);
      emit(`${path}.${name}`, 'field-renamed', `renamed to ${target}`);
    } else {
      emit(`${path}.${name}`, 'field-removed', 'field removed');
    }
  }

  for (const name of newRequired) {
    if (oldRequired.has(name) || renameTargets.has(name)) continue;
    emit(`${path}.${name}`, 'new-required-field', name in oldProps ? 'was optional, now required' : 'new required field');
  }
  for (const name of oldRequired) {
    if (!newRequired.has(name) && name in newProps) emit(`${path}.${name}`, 'field-made-optional', 'was required, now optional: consumers may miss it');
  }

  const [oldExtra, newExtra] = [extraFieldsSchema(released), extraFieldsSchema(current)];
  if (oldExtra !== false && newExtra !== false) compareSchemas(oldExtra, newExtra, `${path}.*`, emit);
  else if (oldExtra !== false && newExtra === false) emit(`${path}.*`, 'field-removed', 'other fields were allowed, now none are');
  // false → allowed: other fields may now appear, which consumers ignore (docs/compatibility.md: the tolerant reader).
}

function compareArrays(released: Schema, current: Schema, path: string, emit: Emit): void {
  compareSubschema(isSchemaObject(released.items) ? released.items : undefined, isSchemaObject(current.items) ? current.items : undefined, `${path}[]`, 'items', emit);
  // Draft-7 tuple `items: [...]` and 2020-12 `prefixItems`: position by position.
  for (const keyword of ['prefixItems', 'items'] as const) {
    const oldList = Array.isArray(released[keyword]) ? (released[keyword] as Schema[]) : [];
    const newList = Array.isArray(current[keyword]) ? (current[keyword] as Schema[]) : [];
    for (let i = 0; i < Math.max(oldList.length, newList.length); i += 1) compareSubschema(oldList[i], newList[i], `${path}[${i}]`, `${keyword}[${i}]`, emit);
  }
}

/**
 * anyOf/oneOf/allOf. Order carries no meaning: alternatives equal in canonical form are matched first, then what is
 * left is paired in order and compared, so a reordered list is no change and an edited alternative shows where.
 */
function compareAlternatives(released: Schema, current: Schema, combinator: 'anyOf' | 'oneOf' | 'allOf', path: string, emit: Emit): void {
  const oldAlts = Array.isArray(released[combinator]) ? (released[combinator] as Schema[]) : null;
  const newAlts = Array.isArray(current[combinator]) ? (current[combinator] as Schema[]) : null;
  if (oldAlts === null && newAlts === null) return;
  if (oldAlts === null || newAlts === null) {
    emit(path, 'type-changed', `${combinator} ${oldAlts === null ? 'added' : 'removed'}`);
    return;
  }
  const unmatchedNew = newAlts.map((alt, i) => ({ alt, i, text: canonical(alt) }));
  const unmatchedOld: Array<{ alt: Schema; i: number }> = [];
  oldAlts.forEach((alt, i) => {
    const text = canonical(alt);
    const at = unmatchedNew.findIndex((n) => n.text === text);
    if (at >= 0) unmatchedNew.splice(at, 1);
    else unmatchedOld.push({ alt, i });
  });
  unmatchedOld.forEach(({ alt, i }, k) => {
    const partner = unmatchedNew[k];
    if (partner !== undefined) compareSchemas(alt, partner.alt, `${path}.${combinator}[${i}]`, emit);
    else if (combinator === 'allOf') emit(path, 'constraint-changed', `allOf part ${canonical(alt)} removed`);
    else emit(path, 'type-changed', `${combinator} alternative ${canonical(alt)} no longer allowed`);
  });
  // A new anyOf/oneOf alternative widens (its new types are caught above); a new allOf part narrows.
  if (combinator === 'allOf') for (const { alt } of unmatchedNew.slice(unmatchedOld.length)) emit(path, 'constraint-changed', `allOf part ${canonical(alt)} added`);
  // A new oneOf alternative can make a record match two alternatives, which oneOf rejects.
  if (combinator === 'oneOf') for (const { alt } of unmatchedNew.slice(unmatchedOld.length)) emit(path, 'constraint-changed', `oneOf alternative ${canonical(alt)} added: a record matching two fails oneOf`);
}

// ---------------------------------------------------------------------------------------------------------------
// Comparing contracts

/** `events.checks.v2` → base `events.checks`, version 2; a name without `.vN` is version 1. */
export function topicVersion(name: string): { base: string; version: number } {
  const match = /^(.*)\.v([0-9]+)$/.exec(name);
  return match ? { base: match[1]!, version: Number(match[2]) } : { base: name, version: 1 };
}

const DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;

/** The shortest deprecation period: from the release that first ships the successor (docs/compatibility.md). */
export const DEPRECATION_DAYS = 90;

export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

const isDate = (day: unknown): day is string => typeof day === 'string' && DATE.test(day) && !Number.isNaN(Date.parse(`${day}T00:00:00Z`));

function compareMessage(topic: string, name: string, released: MessageSnapshot, current: MessageSnapshot, out: BreakingChange[]): void {
  const emit: Emit = (path, kind, reason) => out.push({ topic, path, kind, reason });
  if (released.contentType !== current.contentType || released.encoding !== current.encoding) {
    emit(name, 'content-type-changed', `${released.contentType} (${released.encoding}) became ${current.contentType} (${current.encoding})`);
  }
  // The key decides partition and compaction: any change of its form moves an entity's records apart.
  if (canonical(released.key) !== canonical(current.key)) emit(`${name}.key`, 'key-changed', `key schema ${canonical(released.key)} became ${canonical(current.key)}`);
  compareSchemas(released.headers, current.headers, `${name}.headers`, emit);
  compareSchemas(released.payload, current.payload, `${name}.payload`, emit);
}

/**
 * Every change from `released` to `current` that breaks a consumer, sorted. A released topic must stay as it was
 * (additions aside) until its deprecation period ends: a break goes into a new version of the topic (`.v2`), the old
 * one written beside it, with an entry in contracts/deprecations.json. `today` is YYYY-MM-DD (UTC). `releasingOn`
 * is set by `contracts:release`: the day the release ships the successors not yet released.
 */
export function compareContracts(
  released: ContractSnapshot,
  current: ContractSnapshot,
  deprecations: readonly Deprecation[],
  today: string,
  releasingOn?: string,
): BreakingChange[] {
  const out: BreakingChange[] = [];
  const deprecationOf = new Map(deprecations.map((d) => [d.topic, d]));

  for (const [name, old] of Object.entries(released.topics)) {
    const now = current.topics[name];
    if (now === undefined) {
      const deprecation = deprecationOf.get(name);
      if (deprecation === undefined) {
        out.push({ topic: name, path: '', kind: 'topic-removed', reason: `released in ${released.release} and gone without a deprecation entry in ${DEPRECATIONS_PATH}: keep writing it beside its successor` });
      } else if (!(deprecation.successor in released.topics)) {
        out.push({ topic: name, path: '', kind: 'topic-removed', reason: `its successor ${deprecation.successor} is not released yet: the old topic is written until a release has shipped the successor and the period has passed` });
      } else if (!(deprecation.writtenUntil < today)) {
        out.push({ topic: name, path: '', kind: 'topic-removed', reason: `deprecated but must be written until ${deprecation.writtenUntil} (inclusive)` });
      }
      continue;
    }
    if (old.key !== now.key) out.push({ topic: name, path: '', kind: 'key-changed', reason: `key ${show(old.key)} became ${show(now.key)}` });
    for (const [messageName, message] of Object.entries(old.messages)) {
      const nowMessage = now.messages[messageName];
      if (nowMessage === undefined) out.push({ topic: name, path: messageName, kind: 'message-removed', reason: 'message no longer sent on this topic' });
      else compareMessage(name, messageName, message, nowMessage, out);
    }
  }

  // A new version of a released topic needs its predecessor's deprecation period documented.
  for (const name of Object.keys(current.topics)) {
    if (name in released.topics) continue;
    const { base, version } = topicVersion(name);
    for (const predecessor of Object.keys(released.topics)) {
      const old = topicVersion(predecessor);
      if (old.base !== base || old.version >= version || !(predecessor in current.topics)) continue;
      const deprecation = deprecationOf.get(predecessor);
      if (deprecation === undefined || deprecation.successor !== name) {
        out.push({ topic: predecessor, path: '', kind: 'deprecation-missing', reason: `${name} replaces it: add {"topic":"${predecessor}","successor":"${name}","writtenUntil":"YYYY-MM-DD","reason":"..."} to ${DEPRECATIONS_PATH}` });
      }
    }
  }

  for (const d of deprecations) {
    const problems: string[] = [];
    if (!isDate(d.writtenUntil)) problems.push(`writtenUntil ${show(d.writtenUntil)} is not a YYYY-MM-DD date`);
    else if (d.topic in current.topics) {
      // Still written: the period runs at least DEPRECATION_DAYS from the release that first ships the successor.
      const shipped = released.topics[d.successor];
      const from = shipped !== undefined ? (shipped.firstReleasedOn ?? released.releasedOn) : (releasingOn ?? released.releasedOn);
      if (isDate(from) && d.writtenUntil < addDays(from, DEPRECATION_DAYS)) {
        problems.push(`writtenUntil ${d.writtenUntil} is less than ${DEPRECATION_DAYS} days after ${from}, when ${d.successor} ${shipped !== undefined ? 'was first released' : 'ships'}: at least ${addDays(from, DEPRECATION_DAYS)}`);
      }
    }
    if (!(d.successor in current.topics)) problems.push(`successor ${d.successor} is not a declared topic`);
    const [from, to] = [topicVersion(d.topic), topicVersion(d.successor)];
    if (from.base !== to.base || to.version <= from.version) problems.push(`successor ${d.successor} is not a higher version of ${d.topic}`);
    if (!(d.topic in released.topics) && !(d.topic in current.topics)) problems.push(`names a topic neither released nor declared (contracts:release drops the entry of a topic it leaves out)`);
    if (typeof d.reason !== 'string' || d.reason.trim() === '') problems.push('gives no reason');
    for (const reason of problems) out.push({ topic: d.topic, path: '', kind: 'deprecation-invalid', reason });
  }

  // One line per place and kind: a dropped anyOf alternative that also drops a type is one break, not two.
  const seen = new Set<string>();
  const unique = out.filter((b) => {
    const id = `${b.topic}\0${b.path}\0${b.kind}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
  return unique.sort((a, b) => `${a.topic}\0${a.path}\0${a.kind}\0${a.reason}`.localeCompare(`${b.topic}\0${b.path}\0${b.kind}\0${b.reason}`));
}

export function describeBreak(change: BreakingChange): string {
  return `${change.topic}${change.path === '' ? '' : ` ${change.path}`}: ${change.kind}: ${change.reason}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Files and the command line

export function readReleased(root: string = repositoryRoot()): ContractSnapshot {
  return JSON.parse(readFileSync(join(root, RELEASED_PATH), 'utf8')) as ContractSnapshot;
}

export function readDeprecations(root: string = repositoryRoot()): Deprecation[] {
  return JSON.parse(readFileSync(join(root, DEPRECATIONS_PATH), 'utf8')) as Deprecation[];
}

export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/** The breaks of the current contract against the committed snapshot. */
export function checkCurrent(root: string = repositoryRoot(), today: string = todayUtc()): BreakingChange[] {
  return compareContracts(readReleased(root), currentSnapshot(), readDeprecations(root), today);
}

/**
 * The snapshot a release writes: the current contract, the release day, and for every topic the day it was first
 * released (kept from the previous snapshot; the release day for a new topic).
 */
export function releaseSnapshot(previous: ContractSnapshot | null, current: ContractSnapshot, release: string, releasedOn: string): ContractSnapshot {
  const topics: Record<string, TopicSnapshot> = {};
  for (const [name, topic] of Object.entries(current.topics)) {
    topics[name] = { key: topic.key, firstReleasedOn: previous?.topics[name]?.firstReleasedOn ?? releasedOn, messages: topic.messages };
  }
  return { release, releasedOn, topics };
}

/** The deprecation entries a release keeps: an entry whose topic left the contract (its period over) is done. */
export function deprecationsAfterRelease(deprecations: readonly Deprecation[], snapshot: ContractSnapshot): Deprecation[] {
  return deprecations.filter((d) => d.topic in snapshot.topics);
}

export function snapshotText(snapshot: ContractSnapshot): string {
  return `${JSON.stringify(snapshot, null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------------------------------
// The snapshot itself: it changes only in a release

/** What a snapshot promises: each topic's key and messages (the release dates aside). */
function promisedSchemas(snapshot: ContractSnapshot): string {
  return canonical(Object.fromEntries(Object.entries(snapshot.topics).map(([name, t]) => [name, { key: t.key, messages: t.messages }])));
}

/**
 * Problems with a change of contracts/released.json from `previous` to `current`: its schemas may change only with a
 * new release version, the version `package.json` names, and only compatibly with the previous snapshot (so a
 * hand edit that loosens the snapshot to let a break through is itself a break). `deprecations` are the entries in
 * force around the release (the release drops the entries of the topics it retires).
 */
export function snapshotChangeProblems(previous: ContractSnapshot, current: ContractSnapshot, deprecations: readonly Deprecation[], packageVersion: string): string[] {
  if (promisedSchemas(previous) === promisedSchemas(current)) return [];
  const problems: string[] = [];
  if (current.release === previous.release) problems.push(`${RELEASED_PATH} changed its schemas but still says release ${current.release}: only npm run contracts:release, with a new version, writes it`);
  if (current.release !== packageVersion) problems.push(`${RELEASED_PATH} says release ${current.release} but package.json says ${packageVersion}`);
  const day = isDate(current.releasedOn) ? current.releasedOn : '9999-12-31';
  for (const change of compareContracts(previous, current, deprecations, day)) {
    if (change.kind === 'deprecation-invalid' || change.kind === 'deprecation-missing') continue; // the entries are checked against the current contract
    problems.push(`${RELEASED_PATH} against its previous version (release ${previous.release}): ${describeBreak(change)}`);
  }
  return problems;
}

function git(root: string, args: readonly string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return null;
  }
}

/**
 * The last change of contracts/released.json: the working file against HEAD's when it is edited, else the last
 * commit that changed it against that commit's parent. Null when there is none to check (first snapshot), or
 * undefined when git history is missing (a shallow or exported tree).
 */
export function lastSnapshotChange(root: string = repositoryRoot()): { previous: ContractSnapshot; current: ContractSnapshot; deprecations: Deprecation[] } | null | undefined {
  const at = (revision: string, path: string): string | null => git(root, ['show', `${revision}:${path}`]);
  const working = readFileSync(join(root, RELEASED_PATH), 'utf8');
  const head = at('HEAD', RELEASED_PATH);
  if (head === null) return git(root, ['rev-parse', 'HEAD']) === null ? undefined : null;
  let before: string;
  let current = working;
  if (head !== working) before = 'HEAD';
  else {
    const last = git(root, ['log', '-1', '--format=%H', '--', RELEASED_PATH])?.trim();
    if (!last) return undefined;
    if (git(root, ['rev-parse', '--verify', '--quiet', `${last}^`]) === null) return git(root, ['rev-parse', '--is-shallow-repository'])?.trim() === 'true' ? undefined : null;
    before = `${last}^`;
    current = head;
  }
  const previous = at(before, RELEASED_PATH);
  if (previous === null) return null;
  const entries = [readDeprecations(root), JSON.parse(at(before, DEPRECATIONS_PATH) ?? '[]') as Deprecation[]].flat();
  return { previous: JSON.parse(previous) as ContractSnapshot, current: JSON.parse(current) as ContractSnapshot, deprecations: entries };
}

function main(argv: readonly string[]): number {
  const root = repositoryRoot();
  const [command, version] = argv;
  // The first release has no snapshot to be compatible with.
  const first = command === 'release' && !existsSync(join(root, RELEASED_PATH));
  const today = todayUtc();
  const breaks = command === 'check' && !first ? checkCurrent(root, today) : command === 'release' && !first ? compareContracts(readReleased(root), currentSnapshot(), readDeprecations(root), today, today) : [];
  if (command === 'check') {
    for (const change of breaks) process.stdout.write(`${describeBreak(change)}\n`);
    process.stdout.write(breaks.length === 0 ? `contracts: compatible with ${readReleased(root).release}\n` : `contracts: ${breaks.length} breaking change(s); see docs/compatibility.md\n`);
    const change = lastSnapshotChange(root);
    const packageVersion = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
    const problems = change ? snapshotChangeProblems(change.previous, change.current, change.deprecations, packageVersion) : [];
    for (const problem of problems) process.stdout.write(`${problem}\n`);
    if (change === undefined) process.stdout.write(`contracts: the last change of ${RELEASED_PATH} not checked: no git history\n`);
    else if (problems.length === 0) process.stdout.write(`contracts: ${RELEASED_PATH} changed only by releases\n`);
    return breaks.length === 0 && problems.length === 0 ? 0 : 1;
  }
  if (command === 'release') {
    if (breaks.length > 0) {
      for (const change of breaks) process.stderr.write(`${describeBreak(change)}\n`);
      process.stderr.write('contracts: not released: the contract breaks consumers of the last release (docs/compatibility.md)\n');
      return 1;
    }
    const release = version ?? (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
    const snapshot = releaseSnapshot(first ? null : readReleased(root), currentSnapshot(), release, today);
    writeFileSync(join(root, RELEASED_PATH), snapshotText(snapshot));
    process.stdout.write(`wrote ${RELEASED_PATH} (release ${release}, ${today})\n`);
    const deprecations = readDeprecations(root);
    const kept = deprecationsAfterRelease(deprecations, snapshot);
    if (kept.length !== deprecations.length) {
      writeFileSync(join(root, DEPRECATIONS_PATH), `${JSON.stringify(kept, null, 2)}\n`);
      const done = deprecations.filter((d) => !kept.includes(d)).map((d) => d.topic).join(', ');
      process.stdout.write(`dropped the deprecation entries of ${done} from ${DEPRECATIONS_PATH}: run npm run docs:generate\n`);
    }
    return 0;
  }
  process.stderr.write('usage: contracts-gate.js check | release [version]\n');
  return 64;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
