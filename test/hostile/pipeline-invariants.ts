import { readFileSync } from 'node:fs';
import { request as httpRequest, Agent } from 'node:http';
import { Topics, isRedriveMarker, readDeadLetter, readRawWebhookFacts } from '@hookbus/contracts';
import type { ConsumedRecord } from '../../libs/kafka/src/records';
import type { ServiceInstance } from '../faults/fault-stack';

/** Every status docs/contract.md §3 lets the gateway answer on a webhook route. */
export const CONTRACT_STATUSES: ReadonlySet<number> = new Set([200, 400, 401, 404, 405, 413, 415, 429, 503]);

export interface Answer {
  /** null: the connection closed or failed without an HTTP answer. */
  readonly status: number | null;
  readonly text: string;
  readonly error?: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 16 });

/** Sends exactly these bytes to exactly this target (no URL normalisation, no re-encoding). */
export function sendRaw(baseUrl: string, method: string, target: string, headers: Record<string, string>, body: Buffer | null, timeoutMs = 60_000): Promise<Answer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve) => {
    const req = httpRequest({ host: hostname, port, path: target, method, headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) }, agent, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? null, text: Buffer.concat(chunks).toString('utf8').slice(0, 2000) }));
      res.on('error', (e) => resolve({ status: res.statusCode ?? null, text: '', error: e.message }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (e) => resolve({ status: null, text: '', error: e.message }));
    req.end(body ?? undefined);
  });
}

export function closeAgent(): void {
  agent.destroy();
}

/** Runs `work` over `items` with at most `limit` at once. */
export async function inParallel<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i]!);
      }
    }),
  );
  return results;
}

/** Resident set size of a process in MB, from /proc (Linux); null when the process is gone. */
export function rssMb(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round(Number(match[1]) / 102.4) / 10 : null;
  } catch {
    return null;
  }
}

/** Samples every service's RSS on an interval and keeps the peak per service name. */
export class RssSampler {
  readonly peakMb = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly instances: () => readonly ServiceInstance[]) {}

  start(intervalMs = 500): void {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  sample(): Map<string, number> {
    const now = new Map<string, number>();
    for (const instance of this.instances()) {
      const mb = rssMb(instance.child.pid);
      if (mb === null) continue;
      now.set(instance.name, mb);
      this.peakMb.set(instance.name, Math.max(this.peakMb.get(instance.name) ?? 0, mb));
    }
    return now;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

/** A service that has exited or does not answer /health/ready with 200. */
export async function unhealthy(instances: readonly ServiceInstance[]): Promise<string[]> {
  const problems: string[] = [];
  for (const instance of instances) {
    if (instance.child.exitCode !== null || instance.child.signalCode !== null) {
      problems.push(`${instance.id} exited (${instance.child.exitCode ?? instance.child.signalCode})`);
      continue;
    }
    const response = await fetch(`http://127.0.0.1:${instance.port}/health/ready`, { signal: AbortSignal.timeout(10_000) }).catch((e: Error) => e);
    if (response instanceof Error) problems.push(`${instance.id} /health/ready: ${response.message}`);
    else if (response.status !== 200) problems.push(`${instance.id} /health/ready answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
  }
  return problems;
}

export interface DeadLetterCensus {
  readonly total: number;
  readonly byStage: Map<string, number>;
  /** The same original record (topic/partition/offset) dead-lettered more than once by one stage. */
  readonly repeated: Array<{ stage: string; origin: string; count: number; receiptId: string | null; errorCode: string | null }>;
  /** A stage dead-lettered a record it read from the dead-letter topic itself: the start of a loop. */
  readonly ofDeadLetters: Array<{ stage: string; origin: string; receiptId: string | null; errorCode: string | null }>;
}

/** Counts the dead letters in `records` (everything read from webhooks.deadletter so far). */
export function deadLetterCensus(records: readonly ConsumedRecord[]): DeadLetterCensus {
  const byStage = new Map<string, number>();
  const byOrigin = new Map<string, { stage: string; origin: string; count: number; receiptId: string | null; errorCode: string | null }>();
  const ofDeadLetters: DeadLetterCensus['ofDeadLetters'] = [];
  for (const record of records) {
    if (isRedriveMarker(record)) continue;
    const dl = readDeadLetter(record);
    const stage = dl.stage ?? '(none)';
    const origin = `${dl.originalTopic}/${dl.originalPartition}@${dl.originalOffset}`;
    // Raw records and every derived record carry the receipt id under the same header.
    const receiptId = readRawWebhookFacts(record).receiptId;
    const errorCode = dl.errorCode;
    byStage.set(stage, (byStage.get(stage) ?? 0) + 1);
    const key = `${stage} ${origin}`;
    const entry = byOrigin.get(key) ?? { stage, origin, count: 0, receiptId, errorCode };
    entry.count += 1;
    byOrigin.set(key, entry);
    if (dl.originalTopic === Topics.deadLetter.name) ofDeadLetters.push({ stage, origin, receiptId, errorCode });
  }
  return { total: [...byStage.values()].reduce((a, b) => a + b, 0), byStage, repeated: [...byOrigin.values()].filter((e) => e.count > 1), ofDeadLetters };
}
