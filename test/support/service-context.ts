import { loadEnv, parseHookbusConfig } from '@hookbus/config';
import { serviceContext, type ServiceContext } from '@hookbus/platform';
import { TEST_DATABASE_URL, TEST_KAFKA_BROKERS } from './test-settings';
import { withOpenBuiltinSources } from './test-sources';

/**
 * A service context for an in-process service under test: the test broker and database, port 0, quiet logs, and the
 * given YAML config plus the built-in sources it does not name, configured with `auth: none` (withOpenBuiltinSources).
 */
export function testServiceContext(name: string, options: { yaml?: string; env?: Record<string, string> } = {}): ServiceContext {
  const env = {
    DATABASE_URL: TEST_DATABASE_URL,
    KAFKA_BROKERS: TEST_KAFKA_BROKERS.join(','),
    GATEWAY_PORT: '0',
    NORMALIZER_PORT: '0',
    TRACKER_PORT: '0',
    ORCHESTRATOR_PORT: '0',
    PROJECTOR_PORT: '0',
    MONITOR_PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL || 'warn',
    ...options.env,
  };
  return serviceContext(name, { env: loadEnv(env, () => false), config: parseHookbusConfig(withOpenBuiltinSources(options.yaml ?? null), env) });
}
