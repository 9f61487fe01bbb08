import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { ConsumerGroups, Topics } from '@hookbus/contracts';
import { findPersonalData } from '@hookbus/platform';
import { TEST_DATABASE_URL, TopicObserver, waitFor } from '@hookbus/testing';
import { FaultStack } from '../faults/fault-stack';
import { groupProgress, nearTheEnd, pendingRecords, type PendingRecord } from './consumer-progress';
import { HOSTILE_SOURCES, REQUEST_CLASSES, credentialed, describeRequest, hostileBatch, hostileConfigYaml, ordinaryBatch, type HostileRequest, type RequestClass } from './hostile-requests';
import { CONTRACT_STATUSES, RssSampler, closeAgent, deadLetterCensus, inParallel, sendRaw, unhealthy, type Answer } from './pipeline-invariants';

/**
 * The adversarial suite (`npm run test:hostile`): batches of generated hostile requests for every source and kind,
 * from authenticated senders mostly, through the real gateway, normalizer, tracker, orchestrator and projector (each
 * its own process, on a broker and database of their own). After each batch, the invariants: every answer a status
 * the contract allows (and never 200 without valid credentials); ordinary webhooks sent beside the attack reach
 * Postgres; every consumer group consumes every record it can within a bound (no stall); each record dead-lettered at
 * most once per stage, never a dead letter of a dead letter, and no more dead letters after a quiet window; every
 * service healthy; resident memory under a ceiling. Each batch prints its seed: HOSTILE_SEED=<seed> replays it.
 *
 * Size: HOSTILE_LONG=1 runs the night size; HOSTILE_BATCHES and HOSTILE_BATCH_SIZE override either.
 */
const LONG = process.env.HOSTILE_LONG === '1';
const BATCHES = Number(process.env.HOSTILE_BATCHES || (LONG ? 20 : 3));
const BATCH_SIZE = Number(process.env.HOSTILE_BATCH_SIZE || (LONG ? 400 : 120));
const BASE_SEED = process.env.HOSTILE_SEED ? Number(process.env.HOSTILE_SEED) : Math.floor(Math.random() * 2 ** 31);
const KAFKA_PORT = Number(process.env.HOSTILE_KAFKA_PORT || 19294);
/** How long a group may take to consume what a batch caused before it counts as stalled. */
const DRAIN_BOUND_MS = Number(process.env.HOSTILE_DRAIN_BOUND_MS || 90_000);
/** The second look at the dead letters: none may appear once the pipeline is idle. */
const QUIET_WINDOW_MS = 5_000;
/** Generous: a service holding on to a few 2 MB bodies stays far below; a leak or an unbounded buffer does not. */
const RSS_CEILING_MB = 1024;
const CANARIES_PER_BATCH = 2 * HOSTILE_SOURCES.length;

const say = (line: string) => process.stdout.write(`${line}\n`);
const configPath = join(tmpdir(), `hookbus-hostile-${process.pid}.yaml`);
writeFileSync(configPath, hostileConfigYaml());
// Services log at info, as in production: every line they write is scanned for phone numbers and emails.
const stack = new FaultStack(process.env.TEST_DATABASE_URL || TEST_DATABASE_URL, { suite: 'hostile', kafkaPort: KAFKA_PORT, serviceEnv: { HOOKBUS_CONFIG: configPath, LOG_LEVEL: 'info' } });

/** Phone numbers and emails in what the stack's services logged so far (their log files in the stack's folder). */
function personalDataInLogs(): string[] {
  const found: string[] = [];
  for (const file of readdirSync(stack.workDir).filter((f) => f.endsWith('.log'))) {
    const lines = readFileSync(join(stack.workDir, file), 'utf8').split('\n');
    for (const finding of findPersonalData(lines)) found.push(`${file}:${finding.line + 1}: ${finding.kind} ${JSON.stringify(finding.match)} in ${lines[finding.line]!.slice(0, 300)}`);
  }
  return found;
}
const rss = new RssSampler(() => stack.instances);
const GROUPS = Object.values(ConsumerGroups);

let admin: Admin;
let deadLetters: TopicObserver;

interface ClassFigures {
  sent: number;
  statuses: Map<number | 'none', number>;
}
const figures = new Map<RequestClass, ClassFigures>(REQUEST_CLASSES.map((k) => [k, { sent: 0, statuses: new Map() }]));
const drainSeconds: number[] = [];
/** Ordinary webhooks answered 503 and sent again: the cost of the attack to genuine senders. */
let ordinaryRetried = 0;
const byReceipt = new Map<string, HostileRequest>();

beforeAll(async () => {
  say(`[hostile] ${BATCHES} batch(es) of ${BATCH_SIZE} requests, base seed ${BASE_SEED} (replay: HOSTILE_SEED=${BASE_SEED})`);
  await stack.start(say);
  admin = new Kafka({ clientId: 'hookbus-hostile', brokers: stack.brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  deadLetters = await TopicObserver.start([Topics.deadLetter.name], stack.brokers);
  rss.start();
}, 300_000);

afterAll(async () => {
  rss.stop();
  report();
  closeAgent();
  await deadLetters?.stop();
  await admin?.disconnect();
  await stack.stop();
  rmSync(configPath, { force: true });
}, 120_000);

function report(): void {
  say('\n[hostile] requests per class (status: count)');
  for (const [klass, f] of figures) say(`[hostile]   ${klass.padEnd(20)} ${String(f.sent).padStart(5)}  ${[...f.statuses].sort().map(([s, n]) => `${s}: ${n}`).join(', ')}`);
  const census = deadLetterCensus(deadLetters?.records ?? []);
  say(`[hostile] dead letters: ${census.total} (${[...census.byStage].map(([s, n]) => `${s} ${n}`).join(', ') || 'none'})`);
  say(`[hostile] ordinary webhooks answered 503 and sent again: ${ordinaryRetried}`);
  say(`[hostile] drain after each batch: ${drainSeconds.map((s) => `${s.toFixed(1)} s`).join(', ')}; max ${Math.max(0, ...drainSeconds).toFixed(1)} s`);
  say(`[hostile] peak RSS: ${[...rss.peakMb].map(([name, mb]) => `${name} ${mb.toFixed(0)} MB`).join(', ')}`);
}

async function send(request: HostileRequest): Promise<Answer> {
  const { target, headers } = credentialed(request);
  const answer = await sendRaw(stack.gatewayUrl, request.method, target, headers, request.body);
  const f = request.klass === 'ordinary' ? undefined : figures.get(request.klass);
  if (f) {
    f.sent += 1;
    const key = answer.status ?? 'none';
    f.statuses.set(key, (f.statuses.get(key) ?? 0) + 1);
  }
  if (answer.status === 200) {
    const receiptId = /"receiptId":"([0-9a-f-]{36})"/.exec(answer.text)?.[1];
    if (receiptId) byReceipt.set(receiptId, request);
  }
  return answer;
}

/** Whether a request reached Postgres: its receipt archived and at least one event from it. */
async function projected(receiptIds: readonly string[]): Promise<string[]> {
  const rows = (
    await stack.db.query(
      // The delivery's event, whichever receipt carried it: event ids are a digest of the delivery (source, method,
      // path status, query without secrets, body), so when a first attempt was answered 503 yet reached Kafka, the
      // provider's retry — the receipt answered 200 — is deduplicated against it and its own receipt id has no event.
      `SELECT r.receipt_id::text AS id FROM hookbus.receipts r WHERE r.receipt_id = ANY($1::uuid[]) AND EXISTS (
         SELECT 1 FROM hookbus.events e JOIN hookbus.receipts first ON first.receipt_id = e.receipt_id
         WHERE first.source_id = r.source_id AND first.method = r.method AND first.query = r.query
           AND first.path_status IS NOT DISTINCT FROM r.path_status AND first.body = r.body)`,
      [receiptIds],
    )
  ).rows as Array<{ id: string }>;
  const done = new Set(rows.map((r) => r.id));
  return receiptIds.filter((id) => !done.has(id));
}

function explainPending(pending: readonly PendingRecord[]): string[] {
  return pending.map((p) => {
    const request = p.receiptId ? byReceipt.get(p.receiptId) : undefined;
    return `${p.group} stuck at ${p.topic}/${p.partition}@${p.offset} (key ${JSON.stringify((p.key ?? '').slice(0, 60))}, receipt ${p.receiptId ?? '?'})${request ? `: ${describeRequest(request)}` : ''}`;
  });
}

/** Waits until no group has a record it could consume and has not; returns the seconds it took, or what is stuck. */
async function drain(): Promise<{ seconds: number; stuck: string[] }> {
  const started = Date.now();
  while (Date.now() - started < DRAIN_BOUND_MS) {
    const progress = await groupProgress(admin, GROUPS);
    // The quick look first; the exact probe only when every group is within a few markers of the end.
    if (progress.idle.length === 0 && nearTheEnd(progress.partitions) && (await pendingRecords(stack.brokers, progress.partitions)).length === 0) {
      return { seconds: (Date.now() - started) / 1000, stuck: [] };
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  const progress = await groupProgress(admin, GROUPS);
  const stuck = [...progress.idle.map((group) => `${group} has no member consuming`), ...explainPending(await pendingRecords(stack.brokers, progress.partitions))];
  return { seconds: (Date.now() - started) / 1000, stuck };
}

function explainDeadLetter(receiptId: string | null): string {
  const request = receiptId ? byReceipt.get(receiptId) : undefined;
  return request ? describeRequest(request) : `receipt ${receiptId ?? '?'}`;
}

describe.each(Array.from({ length: BATCHES }, (_, i) => [i + 1, BASE_SEED + i] as const))('batch %i (seed %i)', (batch, seed) => {
  it('every invariant holds after the batch', async () => {
    const requests = hostileBatch(seed, BATCH_SIZE);
    const canaries = ordinaryBatch(seed, CANARIES_PER_BATCH);
    const violations: string[] = [];
    const replay = `HOSTILE_SEED=${seed} HOSTILE_BATCHES=1 HOSTILE_BATCH_SIZE=${BATCH_SIZE}`;
    say(`[hostile] batch ${batch}: seed ${seed} (replay: ${replay} npm run test:hostile)`);

    // Hostile and ordinary requests interleaved: an attack must not cost a genuine sender its delivery.
    const every = Math.max(1, Math.floor(requests.length / canaries.length));
    const mixed = requests.flatMap((r, i) => (i % every === 0 && canaries[i / every] ? [canaries[i / every]!, r] : [r]));
    mixed.push(...canaries.slice(Math.ceil(requests.length / every)));
    const answers = new Map<HostileRequest, Answer>();
    await inParallel(mixed, 8, async (request) => answers.set(request, await send(request)));

    for (const [request, answer] of answers) {
      if (answer.status === null || !CONTRACT_STATUSES.has(answer.status)) violations.push(`status ${answer.status ?? `none (${answer.error})`} is not in the contract: ${describeRequest(request)}`);
      else if (request.credentials !== 'valid' && answer.status === 200) violations.push(`200 without valid credentials: ${describeRequest(request)}`);
    }
    const canaryReceipts: string[] = [];
    for (const canary of canaries) {
      let answer = answers.get(canary)!;
      // A 503 says "not durable, retry": the provider retries (most do), so the suite does too, and counts it.
      for (let retry = 0; retry < 3 && answer.status === 503; retry += 1) {
        ordinaryRetried += 1;
        answer = await send(canary);
      }
      if (answer.status !== 200) violations.push(`ordinary webhook answered ${answer.status}: ${describeRequest(canary)} → ${answer.text.slice(0, 200)}`);
      const receiptId = /"receiptId":"([0-9a-f-]{36})"/.exec(answer.text)?.[1];
      if (receiptId) canaryReceipts.push(receiptId);
    }

    const drained = await drain();
    drainSeconds.push(drained.seconds);
    for (const stuck of drained.stuck) violations.push(`stall (not consumed within ${DRAIN_BOUND_MS / 1000} s): ${stuck}`);
    say(`[hostile] batch ${batch}: ${drained.stuck.length === 0 ? `drained in ${drained.seconds.toFixed(1)} s` : `${drained.stuck.length} partition(s) stuck after ${drained.seconds.toFixed(0)} s`}`);

    const missing = await waitFor(async () => {
      const left = await projected(canaryReceipts);
      return left.length === 0 ? left : undefined;
    }, { timeoutMs: 30_000, what: 'the ordinary webhooks in Postgres' }).catch(async () => projected(canaryReceipts));
    for (const id of missing) violations.push(`ordinary webhook never reached Postgres: ${explainDeadLetter(id)}`);

    const atDrain = deadLetterCensus(deadLetters.records);
    await new Promise((r) => setTimeout(r, QUIET_WINDOW_MS)); // the observation window itself: nothing to await.
    const after = deadLetterCensus(deadLetters.records);
    if (after.total > atDrain.total) violations.push(`dead letters still growing while idle: ${atDrain.total} → ${after.total} in ${QUIET_WINDOW_MS / 1000} s (${[...after.byStage].map(([s, n]) => `${s} ${n}`).join(', ')})`);
    for (const r of after.repeated.slice(0, 10)) violations.push(`${r.stage} dead-lettered ${r.origin} ${r.count} times (${r.errorCode}): ${explainDeadLetter(r.receiptId)}`);
    if (after.repeated.length > 10) violations.push(`… and ${after.repeated.length - 10} more records dead-lettered more than once`);
    const loops = after.ofDeadLetters;
    if (loops.length > 0) violations.push(`${loops.length} dead letter(s) of dead letters, e.g. ${loops.slice(0, 3).map((l) => `${l.stage} ${l.origin} (${l.errorCode}) from ${explainDeadLetter(l.receiptId)}`).join('; ')}`);

    for (const problem of await unhealthy(stack.instances)) violations.push(`unhealthy: ${problem}`);
    for (const line of personalDataInLogs().slice(0, 10)) violations.push(`personal data in a log line: ${line}`);
    for (const [name, mb] of rss.sample()) if (mb > RSS_CEILING_MB) violations.push(`${name} RSS ${mb} MB over the ${RSS_CEILING_MB} MB ceiling`);

    say(`[hostile] batch ${batch}: ${violations.length} violation(s); dead letters so far ${after.total}`);
    for (const v of violations.slice(0, 40)) say(`[hostile]   ✗ ${v}`);
    expect({ seed, replay, violations }).toEqual({ seed, replay, violations: [] });
  }, DRAIN_BOUND_MS + 300_000);
});
