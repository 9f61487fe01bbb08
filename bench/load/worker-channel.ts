import type { LoadMessage } from './load-spec';

/** What a load worker tells the harness, over the IPC channel it was forked with. */
export function send(message: LoadMessage): void {
  process.send?.(message);
}

/** Sampled receipt ids with the moment their 200 arrived, sent to the harness in batches (every 200 ms). */
export class ReceiptReporter {
  private pending: Array<[string, number]> = [];
  private readonly timer = setInterval(() => this.flush(), 200);

  add(receiptId: string, answeredAtMs: number): void {
    this.pending.push([receiptId, answeredAtMs]);
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    send({ type: 'receipts', receipts: this.pending });
    this.pending = [];
  }
}

/** Runs a worker's main: its failure reaches the harness as a message, and the channel is closed either way. */
export function runWorker(main: () => Promise<void>): void {
  main().then(
    () => process.disconnect?.(),
    (error: unknown) => {
      send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
      process.disconnect?.();
      process.exitCode = 1;
    },
  );
}
