import { foldKey, isJsonObject, pickFields, requireObject, type JsonObject } from '../support/payload-support';

/**
 * The object that describes the entity. Authvia's pages list the attributes at the top level
 * (docs/providers/authvia.md#business-process-updated); should a delivery wrap them (`{"data": {...}}`), the wrapper is
 * looked into, but only when the top level carries no id of its own, so a documented body is never reinterpreted.
 */
export function authviaEntity(payload: unknown, idAliases: readonly string[], envelopeKeys: readonly string[], what: string): JsonObject {
  const body = requireObject(payload, what);
  const keys = new Set(Object.keys(body).map(foldKey));
  if (idAliases.some((alias) => keys.has(foldKey(alias)))) return body;
  for (const key of envelopeKeys) {
    const inner = pickFields(body, { inner: [key] }, what).inner;
    if (isJsonObject(inner)) return inner;
  }
  return body;
}
