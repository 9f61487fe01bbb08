/** What the harness asks of one load-generator run (passed to the child as JSON in BENCH_LOAD). */
export interface LoadSpec {
  readonly url: string;
  readonly connections: number;
  readonly durationSec: number;
  /** Requests per second over all connections; 0 = as fast as the server answers. */
  readonly rate: number;
  /** Distinct phone numbers the bodies cycle through (bounds the state the bench leaves in compacted topics). */
  readonly keySpace: number;
  readonly keyBase: number;
  /** Report every n-th acknowledged receipt id with its answer time (0 = none). */
  readonly sampleEvery: number;
}

export interface LoadResult {
  readonly requests: number;
  readonly ok2xx: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly durationSec: number;
  readonly okPerSec: number;
  readonly latencyMs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number; readonly mean: number };
  /** CPU time the generator process used over its life (paced generator only). */
  readonly cpuSeconds?: number;
}

export type LoadMessage =
  | { readonly type: 'receipts'; readonly receipts: Array<[string, number]> }
  | { readonly type: 'result'; readonly result: LoadResult }
  | { readonly type: 'error'; readonly message: string };
