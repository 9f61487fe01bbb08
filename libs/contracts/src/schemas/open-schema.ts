/**
 * The consumer's copy of a contract schema (docs/compatibility.md, "the tolerant reader"): every
 * `additionalProperties: false` removed, so a record with a field added in a later, compatible release still
 * validates. hookbus' own contract test keeps the closed schemas (a producer must not write undeclared fields); the
 * kit (@hookbus/events: schemas/*.json and /validate) ships the open ones, because the gate lets a release add
 * optional fields.
 */
const SCHEMA_KEYWORDS = new Set(['items', 'additionalProperties', 'if', 'then', 'else', 'not', 'contains', 'propertyNames', 'additionalItems', 'unevaluatedProperties', 'unevaluatedItems']);
const SCHEMA_LIST_KEYWORDS = new Set(['anyOf', 'oneOf', 'allOf', 'prefixItems']);
const SCHEMA_MAP_KEYWORDS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Walks schema positions only: a `const` or `enum` value holding `additionalProperties: false` is data and stays. */
export function openSchema<T>(schema: T): T {
  if (!isObject(schema)) return schema;
  const out: Record<string, unknown> = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if ((keyword === 'additionalProperties' || keyword === 'unevaluatedProperties') && value === false) continue;
    if (SCHEMA_KEYWORDS.has(keyword)) out[keyword] = Array.isArray(value) ? value.map(openSchema) : openSchema(value);
    else if (SCHEMA_LIST_KEYWORDS.has(keyword) && Array.isArray(value)) out[keyword] = value.map(openSchema);
    else if (SCHEMA_MAP_KEYWORDS.has(keyword) && isObject(value)) out[keyword] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, openSchema(v)]));
    else out[keyword] = value;
  }
  return out as T;
}
