import { loadEnv } from '@hookbus/config';
import { incompleteStops } from '@hookbus/kafka';

/** What a service's start returns: a graceful stop (stop consuming, flush, commit, leave the group, close clients). */
export interface StoppableService {
  close?(): Promise<void>;
}

export const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/**
 * Runs a service as its own process, as a good process citizen:
 * - a configuration or startup failure is one clear line on stderr and exit code 1;
 * - SIGTERM, SIGINT and SIGHUP stop it gracefully (the service's own close, which flushes and commits what it
 *   safely can) and it exits 0; if that takes longer than SHUTDOWN_TIMEOUT_MS (default 10 s, below Kubernetes'
 *   30 s grace period) — a broker or database that does not answer can hold a flush or a group leave for minutes —
 *   it says so and exits 1 anyway: uncommitted records are read again by the next owner, which every stage handles;
 * - a stop that finished but left work undone (a batch abandoned uncommitted because Kafka or Postgres was down, a
 *   client that could not leave its group: libs/kafka/src/stop-report.ts) says what in one line and exits 1 too;
 * - started by a supervisor with an IPC channel (`npm start`, the bench), it stops the same way when that channel
 *   closes: the supervisor is gone, however it went (even SIGKILL, which it cannot intercept), and a service must
 *   not live on as an orphan holding its port.
 */
/** Set by runService: stops this service process because a part of it failed for good. */
let stopAfterFailure: ((why: string) => void) | null = null;

/**
 * A part of the service stopped for good (a consumer kafkajs will not restart): under runService the process stops
 * gracefully and exits 1, saying why on stderr, so its supervisor reports or restarts it. Elsewhere (a service
 * started in-process by a test) nothing happens here; the service's readiness says it.
 */
export function stopServiceAfterFailure(why: string): void {
  stopAfterFailure?.(why);
}

export function runService(main: () => Promise<StoppableService | unknown>): void {
  let stopping = false;
  let failure: string | null = null;
  // A synchronous throw (an invalid setting read while building the context) takes the same path as a rejection.
  const started = Promise.resolve().then(main);
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    let timeoutMs: number;
    try {
      timeoutMs = loadEnv().shutdownTimeoutMs;
    } catch {
      // The start failed on the same setting and exits on its own; bound this stop anyway.
      timeoutMs = 10_000;
    }
    const deadline = setTimeout(() => {
      process.stderr.write(`${why}: the service did not stop within ${timeoutMs} ms (SHUTDOWN_TIMEOUT_MS); exiting without finishing the stop\n`);
      process.exit(1);
    }, timeoutMs);
    started
      .then(async (service) => {
        const close = (service as StoppableService | undefined)?.close;
        if (typeof close === 'function') await close.call(service);
      })
      .then(
        () => {
          clearTimeout(deadline);
          if (failure !== null) {
            process.stderr.write(`${why === failure ? why : `${why}: ${failure}`}: stopped; exiting 1\n`);
            process.exit(1);
          }
          const undone = incompleteStops();
          if (undone.length > 0) {
            process.stderr.write(`${why}: stopped, leaving work undone (${undone.join('; ')}); the next owner reads it again; exiting 1\n`);
            process.exit(1);
          }
          process.exit(0);
        },
        (error: unknown) => {
          clearTimeout(deadline);
          process.stderr.write(`${why}: the stop failed (${error instanceof Error ? error.constructor.name : typeof error}); exiting\n`);
          process.exit(1);
        },
      );
  };
  stopAfterFailure = (why) => {
    // Also while a stop is under way (a consumer fenced during its last batch): that stop did not end cleanly.
    failure ??= why;
    stop(why);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, () => stop(signal));
  if (process.channel) {
    process.once('disconnect', () => stop('the supervisor is gone'));
    // The channel is only a lifeline to the supervisor: it must not keep the process alive by itself.
    process.channel.unref();
  }
  started.catch((error: unknown) => {
    if (stopping) return;
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
