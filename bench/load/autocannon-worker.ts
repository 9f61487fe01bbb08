import type { LoadMessage, LoadResult, LoadSpec } from './load-spec';
import { octapushSmsBody } from './octapush-body';

/**
 * The load generator, always its own process (never inside the server under test): autocannon with bodies that
 * vary per request (an Octapush SMS callback), reporting sampled receipt ids with the moment their 200 arrived.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (options: Record<string, unknown>) => Promise<Record<string, any>>;


function send(message: LoadMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.env.BENCH_LOAD ?? '') as LoadSpec;
  let counter = 0;
  let answered = 0;
  let pending: Array<[string, number]> = [];
  const flush = setInterval(() => {
    if (pending.length === 0) return;
    send({ type: 'receipts', receipts: pending });
    pending = [];
  }, 200);
  const request: Record<string, unknown> = {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    setupRequest: (req: Record<string, unknown>) => {
      return { ...req, body: octapushSmsBody(spec, counter++) };
    },
  };
  if (spec.sampleEvery > 0) {
    request.onResponse = (status: number, body: string) => {
      if (status !== 200 || answered++ % spec.sampleEvery !== 0) return;
      const at = Date.now();
      try {
        const id = (JSON.parse(body) as { receiptId?: string }).receiptId;
        if (id) pending.push([id, at]);
      } catch {
        // not the gateway's answer: nothing to follow
      }
    };
  }
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.durationSec,
    ...(spec.rate > 0 ? { overallRate: spec.rate } : {}),
    requests: [request],
    timeout: 10,
  });
  clearInterval(flush);
  if (pending.length > 0) send({ type: 'receipts', receipts: pending });
  const ok = Number(result['2xx'] ?? 0);
  const summary: LoadResult = {
    requests: Number(result.requests?.total ?? 0),
    ok2xx: ok,
    non2xx: Number(result.non2xx ?? 0),
    errors: Number(result.errors ?? 0),
    timeouts: Number(result.timeouts ?? 0),
    durationSec: Number(result.duration ?? spec.durationSec),
    okPerSec: ok / Number(result.duration ?? spec.durationSec),
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max, mean: result.latency.average },
  };
  send({ type: 'result', result: summary });
}

main().then(
  () => process.disconnect?.(),
  (error: unknown) => {
    send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
    process.disconnect?.();
    process.exitCode = 1;
  },
);
