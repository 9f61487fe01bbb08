/**
 * Calls of one operation made at about the same time, run as one: every call made in the same turn of the event loop,
 * or while the previous merged run is in flight, joins the next merged run. The plain unit of work (unit-of-work.ts)
 * uses it so the batches of several partitions from one fetch (kafkajs hands them to concurrent workers) cost one
 * produce request and one offset commit instead of one each, taking turns.
 *
 * When a merged run of several calls fails, `failsEveryCall` decides: a failure that is no caller's fault (the broker
 * is unavailable, the group moved on) is every caller's answer; any other failure may be one caller's input (a record
 * the broker refuses as too large), so each call is run again alone and gets its own answer — a caller is never
 * failed, and its record never dead-lettered, for a companion's record.
 */
export interface CoalescedCallsOptions<In, Out> {
  /** Runs the inputs of every call taken, in the order they were made; its answer is every one of those calls' answer. */
  readonly runMerged: (inputs: readonly In[]) => Promise<Out>;
  /** A failure of a merged run that is every caller's answer, without running the calls alone. */
  readonly failsEveryCall: (error: unknown) => boolean;
}

interface PendingCall<In, Out> {
  readonly input: In;
  readonly resolve: (out: Out) => void;
  readonly reject: (error: unknown) => void;
}

export class CoalescedCalls<In, Out> {
  private queue: Array<PendingCall<In, Out>> = [];
  /** A drain is scheduled or running: calls made meanwhile join its next merged run. */
  private draining = false;

  constructor(private readonly options: CoalescedCallsOptions<In, Out>) {}

  call(input: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      if (this.draining) return;
      this.draining = true;
      // setImmediate, not a microtask: the concurrent workers of one fetch interleave at every await, and reach their
      // produce or commit before the event loop turns — so one turn collects every partition of the fetch.
      setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const calls = this.queue;
      this.queue = [];
      await this.runCalls(calls);
    }
    this.draining = false;
  }

  /** Never rejects: every call gets its answer through its own promise. */
  private async runCalls(calls: ReadonlyArray<PendingCall<In, Out>>): Promise<void> {
    try {
      const out = await this.options.runMerged(calls.map((c) => c.input));
      for (const c of calls) c.resolve(out);
      return;
    } catch (error) {
      if (calls.length === 1 || this.options.failsEveryCall(error)) {
        for (const c of calls) c.reject(error);
        return;
      }
    }
    for (const c of calls) {
      try {
        c.resolve(await this.options.runMerged([c.input]));
      } catch (error) {
        c.reject(error);
      }
    }
  }
}
