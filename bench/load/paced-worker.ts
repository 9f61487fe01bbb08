import { Pool } from 'undici';
import type { LoadResult, LoadSpec } from './load-spec';
import { octapushSmsBody } from './octapush-body';
import { percentileOfSorted } from '../lib/stats';
import { ReceiptReporter, runWorker, send } from './worker-channel';

/**
 * The fixed-rate load generator: open loop, requests released evenly (every millisecond, the number due by then),
 * never waiting for earlier answers. Latency is measured from the moment a request was due, not from when a free
 * connection let it out, so a server that falls behind shows its queueing delay instead of hiding it (coordinated
 * omission).
 *
 * Why not autocannon's `overallRate`: it gives each connection a per-second quota that is sent back to back when
 * the second starts (lib/httpClient.js, `rateInterval`), so "2,000/s" is a burst of 2,000 at the top of every
 * second followed by silence. Autocannon stays the generator of the as-fast-as-possible ingest runs.
 */


async function main(): Promise<void> {
  const spec = JSON.parse(process.env.BENCH_LOAD ?? '') as LoadSpec;
  if (spec.rate <= 0) throw new Error('the paced generator needs a rate');
  const url = new URL(spec.url);
  const path = `${url.pathname}${url.search}`;
  const pool = new Pool(url.origin, { connections: spec.connections, pipelining: 1, keepAliveTimeout: 30_000, headersTimeout: 10_000, bodyTimeout: 10_000 });
  const total = Math.round(spec.rate * spec.durationSec);
  const latencies = new Float64Array(total);
  let measured = 0;
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  let timeouts = 0;
  const receipts = new ReceiptReporter();

  const one = async (n: number, dueAt: number): Promise<void> => {
    try {
      const response = await pool.request({ path, method: 'POST', headers: { 'content-type': 'application/json' }, body: octapushSmsBody(spec, n) });
      const text = await response.body.text();
      const answeredAt = performance.now();
      latencies[measured++] = answeredAt - dueAt;
      if (response.statusCode >= 200 && response.statusCode < 300) {
        ok++;
        if (spec.sampleEvery > 0 && ok % spec.sampleEvery === 0) {
          const id = (JSON.parse(text) as { receiptId?: string }).receiptId;
          if (id) receipts.add(id, Date.now());
        }
      } else {
        non2xx++;
      }
    } catch (error) {
      if ((error as { code?: string }).code?.includes('TIMEOUT')) timeouts++;
      else errors++;
    }
  };

  // A server slower than the offered rate would otherwise let the backlog grow without bound (and the run last
  // long after its window). Past this many outstanding requests a due request is not sent and counts as an error.
  const maxOutstanding = spec.connections * 8;
  let shed = 0;
  const inFlight = new Set<Promise<void>>();
  const startedAt = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - startedAt) / 1000) * spec.rate));
      for (; sent < due; sent++) {
        if (inFlight.size >= maxOutstanding) {
          shed++;
          continue;
        }
        const dueAt = startedAt + (sent / spec.rate) * 1000;
        const request = one(sent, dueAt);
        inFlight.add(request);
        void request.finally(() => inFlight.delete(request));
      }
      if (sent >= total) {
        clearInterval(tick);
        resolve();
      }
    }, 1);
  });
  await Promise.all(inFlight);
  await pool.close();
  receipts.close();
  const sorted = latencies.subarray(0, measured).sort();
  const mean = measured > 0 ? sorted.reduce((a, b) => a + b, 0) / measured : NaN;
  const round = (ms: number) => Math.round(ms * 10) / 10;
  const result: LoadResult = {
    requests: total,
    ok2xx: ok,
    non2xx,
    errors: errors + shed,
    timeouts,
    // The offered window, not the drain after it: a rate over the time the load was offered.
    durationSec: spec.durationSec,
    okPerSec: ok / spec.durationSec,
    latencyMs: {
      p50: round(percentileOfSorted(sorted, 50)),
      p90: round(percentileOfSorted(sorted, 90)),
      p99: round(percentileOfSorted(sorted, 99)),
      max: round(measured > 0 ? sorted[measured - 1]! : NaN),
      mean: round(mean),
    },
    // The generator shares the machine's cores with what it measures; it exits before the harness could read its
    // /proc entry, so it reports its own CPU time.
    cpuSeconds: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
  };
  send({ type: 'result', result });
}

runWorker(main);
