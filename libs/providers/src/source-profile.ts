/**
 * What the config loader (libs/config) needs to know about a provider's sources, declared in the provider's folder.
 * Imports nothing from libs/config (which imports these), so the two never form a cycle.
 */
export interface SourceProfile {
  /** The webhook kinds a source of this provider may have (SourceKind in libs/config must list each). */
  readonly kinds: readonly string[];
  /** The HTTP methods a source accepts unless its config says `methods`. */
  readonly defaultMethods: readonly ('GET' | 'POST')[];
  /** The body limit unless its config says `maxBodyBytes`; null: the gateway's default (libs/config). */
  readonly defaultMaxBodyBytes: number | null;
}
