/**
 * The entity of a process, from its details. The details shape is undocumented
 * (docs/providers/credas.md#process-details): the create-process response carries entity ids under `processActors[]`,
 * so that is read first, then the other places a tolerant reader can find one. The first actor with an entity wins (a
 * process has one applicant today).
 */
export function entityIdFromDetails(details: unknown): string | null {
  if (!isObject(details)) return null;
  for (const listName of ['processActors', 'ProcessActors', 'actors']) {
    const list = details[listName];
    if (!Array.isArray(list)) continue;
    for (const actor of list) {
      const id = isObject(actor) ? (idOf(actor.entityId) ?? idOf(actor.EntityId) ?? (isObject(actor.entity) ? idOf(actor.entity.id) : null)) : null;
      if (id) return id;
    }
  }
  return idOf(details.entityId) ?? idOf(details.EntityId) ?? (isObject(details.entity) ? idOf(details.entity.id) : null);
}

function idOf(value: unknown): string | null {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  return null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
