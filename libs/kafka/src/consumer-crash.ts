// Apart from kafka-log.ts: that file is loaded by the test global setup through kafka-client.ts, where the
// @hookbus/* path aliases do not resolve, and failureClass needs @hookbus/contracts.
import { failureClass } from './failure-class';

/**
 * What a consumer's owner does when kafkajs reports a crash: `kafkajs-restarts` (it said restart: true), `run-again`
 * (it gave up, but on an error about the cluster — a broker that went away makes it give up finding the group
 * coordinator — so the owner runs the consumer again, as for any dependency that is down, unless it is stopping),
 * or `stopped-for-good` (it gave up on anything else: the service must stop so that its supervisor restarts or
 * reports it).
 */
export type ConsumerCrashResponse = 'kafkajs-restarts' | 'run-again' | 'stopped-for-good';

export function consumerCrashResponse(crash: { readonly restart: boolean; readonly error: unknown }, stopping: boolean): ConsumerCrashResponse {
  if (crash.restart) return 'kafkajs-restarts';
  return !stopping && failureClass(crash.error) === 'unavailable' ? 'run-again' : 'stopped-for-good';
}
