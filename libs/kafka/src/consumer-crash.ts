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

/** How long an owner waits before running a consumer again that kafkajs stopped because the broker was down. */
export const RERUN_FIRST_WAIT_MS = 500;
export const RERUN_LONGEST_WAIT_MS = 30_000;

/** The wait before run-again attempt `attempt` (1-based): 0.5 s doubling to 30 s. */
export function rerunWaitMs(attempt: number): number {
  return Math.min(RERUN_LONGEST_WAIT_MS, RERUN_FIRST_WAIT_MS * 2 ** Math.min(Math.max(attempt, 1) - 1, 10));
}

/**
 * Runs a consumer again, with backoff, each time kafkajs stops it because the broker is unavailable (a dependency is
 * waited for, not a reason to stop the service), for every consumer owner alike (the stages' transport, the
 * orchestrator's memory). It remembers since when the consumer has waited (for readiness), forgets it when the
 * consumer joins its group again, and on stop cancels a pending run and waits for one in flight: a run begun just
 * before a stop would otherwise outlive it, and kafkajs would restart it after its next crash.
 */
export class ConsumerRerun {
  private attempts = 0;
  private since: number | null = null;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly run: () => Promise<void>,
    /** A run that failed (the next one is scheduled). */
    private readonly onRunFailed: (error: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Schedules the next run; returns its attempt number and wait, or null once stopped. */
  schedule(): { attempt: number; waitMs: number } | null {
    if (this.stopped) return null;
    this.since ??= this.now();
    this.attempts += 1;
    const waitMs = rerunWaitMs(this.attempts);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.stopped) return;
      const run = this.run().catch((error: unknown) => {
        this.onRunFailed(error);
        // kafkajs usually reports the failure as a crash too (which schedules the next run), but not when its own
        // disconnect threw first: without this the consumer would wait, unready, for a run nobody scheduled.
        this.schedule();
      });
      this.inFlight = run;
      void run.finally(() => {
        if (this.inFlight === run) this.inFlight = null;
      });
    }, waitMs);
    this.timer.unref();
    return { attempt: this.attempts, waitMs };
  }

  /** The consumer joined its group again: the broker answers. */
  joined(): void {
    this.attempts = 0;
    this.since = null;
  }

  /** How long the consumer has waited for the broker, or null when it is not waiting. */
  waitingForMs(): number | null {
    return this.since === null ? null : this.now() - this.since;
  }

  /** No more runs; resolves true after a run in flight has settled (its owner disconnects the consumer again then). */
  async stop(): Promise<boolean> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.inFlight) return false;
    await this.inFlight;
    return true;
  }
}
