import type { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadEnv, loadHookbusConfig, type HookbusConfig, type HookbusEnv, type SourceCredentials } from '@hookbus/config';
import { createLogger } from './logger';
import { bindsEverywhere, localUrl } from './local-url';
import { createMetricsRegistry } from './metrics';
import { PinoNestLogger } from './nest-logger';
import type { ServiceContext } from './service-context';

/**
 * Whether a service reads the webhook sources' credentials: only the gateway authenticates requests. The others are
 * deployed without the webhook secrets (deploy/k8s, least privilege) and read hookbus.yaml for the sources' ids,
 * kinds and header names only.
 */
export function sourceCredentialsOf(service: string): SourceCredentials {
  return service === 'gateway' ? 'read' : 'withheld';
}

/** Validated settings for one service; throws ConfigError naming every bad setting before anything connects. */
export function serviceContext(name: string, overrides: { env?: HookbusEnv; config?: HookbusConfig } = {}): ServiceContext {
  const env = overrides.env ?? loadEnv();
  const config = overrides.config ?? loadHookbusConfig(env.configPath, process.env, sourceCredentialsOf(name));
  return { name, env, config, logger: createLogger(name, env.logLevel), metrics: createMetricsRegistry(name) };
}

export interface ServiceApp {
  readonly app: NestFastifyApplication;
  readonly url: string;
}

/**
 * Creates the Nest application of a service on Fastify, with pino for Nest's own logs. Signals are not Nest's to
 * handle: runService (service-process.ts) stops the whole service, within a bound, on SIGTERM.
 */
export async function createServiceApp(
  context: ServiceContext,
  module: Type<unknown> | import('@nestjs/common').DynamicModule,
  adapter: FastifyAdapter = new FastifyAdapter(),
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
    logger: new PinoNestLogger(context.logger),
    bufferLogs: false,
    abortOnError: false,
  });
  return app;
}

export async function listen(app: INestApplication, port: number, context: ServiceContext): Promise<string> {
  const host = context.env.listenHost;
  await app.listen(port, host);
  const address = app.getHttpServer().address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const everywhere = bindsEverywhere(host);
  const url = localUrl(host, actualPort);
  // Says where it is bound (all interfaces, or this address only).
  const bound = everywhere ? `all interfaces, port ${actualPort}` : `${host}:${actualPort} only`;
  context.logger.info({ url, host }, `${context.name} listening on ${url} (${bound}; health: ${url}/health/ready, metrics: ${url}/metrics)`);
  return url;
}

/**
 * Node options a service process is launched with unless NODE_OPTIONS says otherwise (npm start, the bench, compose,
 * k8s). The tracker's heap is bounded: without a limit V8 sizes its heap from the machine, not the container, and
 * let the tracker's garbage pile up to several times its live set before a full collection (370 MB resident under
 * 2,000 webhooks/s, with about 110 MB live). Its states live on disk (apps/tracker/src/state-store.ts): its live set is
 * the batch in flight and a bounded cache (TRACKER_STATE_CACHE), whatever the number of entities. The stateless
 * services stay under 300 MB without a limit, and a limit costs them throughput (more frequent full collections).
 */
export function serviceNodeOptions(service: string): string {
  return service === 'tracker' ? `--max-old-space-size=${TRACKER_HEAP_LIMIT_MB} ${TRACKER_YOUNG_GENERATION_OPTION}` : '';
}

export const TRACKER_HEAP_LIMIT_MB = 224;

/**
 * The tracker's young generation: 8 MB semi-spaces instead of V8's 16 MB. At the tracker's peak resident size (1
 * million entities, BENCHMARKS.md "Tracker scale") V8's new space held 32 MB of committed pages: two 16 MB
 * semi-spaces, since the tracker's batches allocate fast and keep little. With 8 MB the new space held 16 MB and the
 * peak was 248 MB against 287 MB before; with both this and two malloc arenas, 241 MB against 282 MB side by side,
 * the drain 2.6-4 % slower (more scavenges; about the noise of that loaded machine). Kubernetes passes it on its own command line
 * (deploy/k8s/base/tracker.yaml), where the old-space bound is computed from the memory limit.
 */
export const TRACKER_YOUNG_GENERATION_OPTION = '--max-semi-space-size=8';

/**
 * Environment variables a service is launched with besides NODE_OPTIONS (npm start, the bench, compose, k8s): glibc
 * reads them when the process starts, so the process cannot set them itself.
 *
 * Every service: MALLOC_ARENA_MAX=2. glibc gives each thread that calls malloc its own arena (up to 8 per core), and
 * V8's background threads (concurrent marking, compilation) and libuv's pool each filled and kept one. Each service's
 * own work runs on its main thread, which keeps the main arena: only the background threads share the second.
 * - The tracker first: about 16 MB of its peak resident size was in arenas other than the main one, 4 MB with two
 *   (/proc/PID/smaps), and the peak was 277 MB against 287 MB before (BENCHMARKS.md "Tracker scale").
 * - Then the others: in an e2e A/B on one machine (bench runs mx78pv92 and mx79j07y, 2,000 webhooks/s soak), the
 *   peak resident size fell from 227 to 218 MB (gateway), 265 to 257 MB (normalizer) and 286 to 278 MB (projector),
 *   where the same code's peaks moved by 2 MB at most between runs (mx6mu70k: 228, 267, 285). Their CPU at a fixed
 *   500/s moved no more than the unchanged tracker's did (+0.02 cores).
 */
export function serviceEnvironment(_service: string): Record<string, string> {
  return { MALLOC_ARENA_MAX: '2' };
}
