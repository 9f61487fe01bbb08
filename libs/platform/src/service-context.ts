import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { HookbusConfig, HookbusEnv } from '@hookbus/config';

/** What every service is built from: validated settings, its logger and its metrics registry. */
export interface ServiceContext {
  readonly name: string;
  readonly env: HookbusEnv;
  readonly config: HookbusConfig;
  readonly logger: Logger;
  readonly metrics: Registry;
}

export const SERVICE_CONTEXT = Symbol('SERVICE_CONTEXT');
/** Health indicators a service registers: name → check that throws when unhealthy. */
export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
export type ReadinessCheck = () => Promise<void>;
export type ReadinessChecks = Map<string, ReadinessCheck>;
