/**
 * An A/B of a runtime setting of one service without changing the bench process itself: BENCH_SERVICE_ENV, e.g.
 * '{"tracker":{"MALLOC_ARENA_MAX":null,"NODE_OPTIONS":"--max-old-space-size=224"}}', gives the named service's
 * children these variables (null: without it).
 */
export function withOverrides(env: NodeJS.ProcessEnv, overrides: string | undefined, service: string): NodeJS.ProcessEnv {
  if (!overrides) return env;
  const mine = (JSON.parse(overrides) as Record<string, Record<string, string | null>>)[service] ?? {};
  const result = { ...env };
  for (const [name, value] of Object.entries(mine)) {
    if (value === null) delete result[name];
    else result[name] = value;
  }
  return result;
}
