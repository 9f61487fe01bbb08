import { loadEnv, parseHookbusConfig } from '@hookbus/config';
import type { RunningService } from '@hookbus/nest-kafka';
import { serviceContext } from '@hookbus/platform';
import { withOpenBuiltinSources } from '@hookbus/testing';
import { startGateway, type GatewayOptions } from '../src/gateway.app';

/** Starts a gateway in this process on a free port, with the given YAML config plus the built-in sources it does not name, open. */
export async function startTestGateway(yaml: string | null, brokers: readonly string[], options: GatewayOptions = {}, extraEnv: Record<string, string> = {}): Promise<RunningService> {
  const envVars = { KAFKA_BROKERS: brokers.join(','), LOG_LEVEL: 'error', ...extraEnv };
  const env = loadEnv(envVars, () => false);
  return startGateway(serviceContext('gateway', { env, config: parseHookbusConfig(withOpenBuiltinSources(yaml), envVars) }), { port: 0, ...options });
}

export interface Sent {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  json<T = Record<string, unknown>>(): T;
}

export async function send(url: string, init: { method?: string; body?: string | Buffer; headers?: Record<string, string> } = {}): Promise<Sent> {
  const response = await fetch(url, { method: init.method ?? 'POST', body: init.body, headers: init.headers });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: <T>() => JSON.parse(text) as T };
}

export const JSON_HEADERS = { 'content-type': 'application/json' };
