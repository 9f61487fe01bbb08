import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { SOURCE_TEMPLATES } from '@hookbus/config';

/**
 * A test config: the given YAML plus every built-in source it does not name, each written out with `auth: none`.
 * A source exists only if its config names it, so tests that post to the built-in ids (without credentials, to keep
 * them about what they test) say so here, explicitly, rather than relying on an open default.
 */
export function withOpenBuiltinSources(yaml: string | null = null): string {
  const doc = (yaml === null ? {} : (parseYaml(yaml) ?? {})) as Record<string, unknown>;
  const named = Array.isArray(doc.sources) ? (doc.sources as Array<Record<string, unknown>>) : [];
  const ids = new Set(named.map((s) => s.id));
  const open = SOURCE_TEMPLATES.filter((t) => !ids.has(t.id)).map((t) => ({ id: t.id, auth: { type: 'none' } }));
  // Interpolation happens after this: `${NAME}` in the given YAML survives the round trip as text.
  return stringifyYaml({ ...doc, sources: [...named, ...open] });
}
