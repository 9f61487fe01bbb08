import type { LoadResult, LoadSpec } from './load-spec';
import { octapushSmsBody } from './octapush-body';
import { ReceiptReporter, runWorker, send } from './worker-channel';

/**
 * The load generator, always its own process (never inside the server under test): autocannon with bodies that
 * vary per request (an Octapush SMS callback), reporting sampled receipt ids with the moment their 200 arrived.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (options: Record<string, unknown>) => Promise<Record<string, any>>;



async function main(): Promise<void> {
  const spec = JSON.parse(process.env.BENCH_LOAD ?? '') as LoadSpec;
  let counter = 0;
  let answered = 0;
  const receipts = new ReceiptReporter();
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
        if (id) receipts.add(id, at);
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
  receipts.close();
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

runWorker(main);
