import { backoffDelayMs, sleep, type BackoffPolicy } from '@hookbus/kafka';

export interface AuthGateObserver {
  rejected(level: number, pauseMs: number): void;
  recovered(): void;
}

/**
 * A 403 means the API key is refused (docs/providers/credas.md#result-api): every process would fail the same way,
 * so instead of burning each one's retries the whole orchestrator pauses. After a 403 every Credas call waits until
 * the pause ends; then one call probes while the others keep waiting; the pause doubles on each further 403 and
 * the gate opens on the first answer that is not a 403.
 */
export class CredasAuthGate {
  private level = 0;
  private blockedUntil = 0;
  private probing = false;

  constructor(
    private readonly policy: BackoffPolicy,
    private readonly observer: AuthGateObserver,
    private readonly now: () => number = Date.now,
  ) {}

  get blocked(): boolean {
    return this.level > 0;
  }

  /** Resolves when the caller may call Credas; rejects only when `signal` aborts. */
  async pass(signal: AbortSignal, heartbeat: () => Promise<void>): Promise<void> {
    for (;;) {
      if (signal.aborted) throw signal.reason ?? new Error('aborted');
      if (this.level === 0) return;
      const wait = this.blockedUntil - this.now();
      if (wait <= 0 && !this.probing) {
        this.probing = true;
        return;
      }
      await sleep(Math.min(wait > 0 ? wait : 200, 1000), signal);
      await heartbeat().catch(() => undefined);
    }
  }

  /** The call was answered with something other than 403 (success or not): the key works. */
  accepted(): void {
    this.probing = false;
    if (this.level === 0) return;
    this.level = 0;
    this.observer.recovered();
  }

  /** The call failed before Credas judged the key (timeout, 5xx): release the probe, keep the pause. */
  undecided(): void {
    this.probing = false;
  }

  rejected(): void {
    this.probing = false;
    // Calls already in flight when the pause began answer 403 too: one pause, not one escalation per call.
    if (this.level > 0 && this.now() < this.blockedUntil) return;
    this.level += 1;
    const pause = backoffDelayMs(this.level, this.policy);
    this.blockedUntil = this.now() + pause;
    this.observer.rejected(this.level, pause);
  }
}
