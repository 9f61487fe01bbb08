import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdirSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { withOpenBuiltinSources } from '@hookbus/testing';
import { CONSUMERS, FaultStack, type ServiceInstance, type ServiceName } from './fault-stack';
import { FaultPostgres } from './fault-postgres';
import { ledgerSettles, openLoop, SendLedger, type LedgerFigures } from './fault-ledger';
import { loadSlots, mixedLoad, seededRandom } from './fault-load';

/**
 * The fault suite at real load. At the start it measures what this machine's stack sustains end to end (a closed-loop
 * burst through the gateway, timed until the last of it is in Postgres), then drives every scenario open-loop at
 * FAULTS_LOAD_FRACTION (default 35 %) of that, with the fault in the middle: consumers SIGKILLed at random moments,
 * the broker stopped, Postgres cut, locked and crashed, the gateway SIGKILLed while spooling, its spool's disk full.
 * Requests refused with 503 (or not answered) are resent after recovery, as the provider would; then the ledger:
 * every acknowledged webhook in Postgres exactly once, every expected event exactly once, the oracle's final states.
 * Random moments come from one seed (FAULTS_SEED, printed) so a failure's schedule can be replayed.
 */
const SEED = Number(process.env.FAULTS_SEED || randomInt(1, 2 ** 31 - 1));
const random = seededRandom(SEED);
const LOAD_FRACTION = Number(process.env.FAULTS_LOAD_FRACTION || 0.35);
const KILLS_PER_CONSUMER = 10;
/** The suite's own Postgres cluster (crashed and restarted by a scenario; never the shared 5432). */
const postgres = new FaultPostgres(Number(process.env.FAULTS_PG_PORT || 19880));
/** Consumers run with a 10 s session (production's default is 30 s): a SIGKILLed member's partitions move on sooner. */
const SESSION_TIMEOUT_MS = 10_000;
/** Its broker on FAULTS_KAFKA_PORT (controller on the next port), 19292 unless given; its database hookbus_realload_<run>. */
const stack = new FaultStack(postgres.url, {
  suite: 'realload',
  kafkaPort: Number(process.env.FAULTS_KAFKA_PORT || 19292),
  serviceEnv: { KAFKA_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS) },
});
const say = (line: string) => process.stdout.write(`${line}\n`);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const between = (low: number, high: number) => low + random() * (high - low);
let capacity = 0;
let rate = 0;
let spoolMount: string | null = null;

interface Row {
  scenario: string;
  figures: LedgerFigures;
  recoverSeconds: number;
  offered: number;
  seconds: number;
  note: string;
}
const report: Row[] = [];

type Mode = { kind: 'in-order' } | { kind: 'duplicates'; copies: number } | { kind: 'shuffled' };

/**
 * Sends open-loop load at the offered rate for `seconds` and while `fault` runs (it gets the load's start time and
 * returns a note for the report), 2 s past its end; then resends what was refused and waits for the ledger to balance.
 */
async function scenario(
  name: string,
  fault: (loadStart: number) => Promise<string | void>,
  options: { seconds?: number; mode?: Mode } = {},
): Promise<LedgerFigures> {
  const seconds = options.seconds ?? 20;
  const mode = options.mode ?? { kind: 'in-order' };
  const copies = mode.kind === 'duplicates' ? mode.copies : 1;
  // The load goes on, in 10 s chunks, for `seconds` and until the fault is over (then 2 s more).
  function* slots() {
    for (;;) yield* loadSlots(mixedLoad(Math.ceil((rate * 10) / copies)), mode, random);
  }
  let faultOver = false;
  let faultOverAt = 0;
  const ledger = new SendLedger(() => stack.gatewayUrl);
  const loadStart = Date.now();
  const load = openLoop(slots(), rate, (d) => ledger.send(d), (scheduled) => scheduled >= seconds && faultOver && Date.now() - faultOverAt > 2000);
  const note = (await fault(loadStart)) ?? '';
  faultOverAt = Date.now();
  faultOver = true;
  const loadSeconds = await load;
  await ledger.resendRefused();
  const figures = await ledgerSettles(() => stack.db, ledger, 180_000);
  const recoverSeconds = (Date.now() - faultOverAt) / 1000;
  const offered = ledger.sent.length / loadSeconds;
  report.push({ scenario: name, figures, recoverSeconds, offered, seconds: loadSeconds, note });
  say(
    `[faults] ${name.padEnd(36)} offered ${offered.toFixed(0)}/s for ${loadSeconds.toFixed(0)} s  sent ${figures.sent}  acknowledged ${figures.acknowledged}  refused ${figures.refused}  lost ${figures.lost}  duplicated ${figures.duplicated}  dead letters ${figures.deadLetters}  recovered in ${recoverSeconds.toFixed(1)} s${note ? `  (${note})` : ''}`,
  );
  for (const wrong of figures.wrongStates.slice(0, 10)) say(`[faults]   wrong state ${wrong}`);
  for (const odd of ledger.unexpected.slice(0, 5)) say(`[faults]   unexpected ${odd.status} for ${odd.delivery.sourceId}: ${odd.text}`);
  expect(ledger.unexpected).toEqual([]);
  expect(figures.lost).toBe(0);
  expect(figures.duplicated).toBe(0);
  expect(figures.wrongStates).toEqual([]);
  expect(figures.deadLetters).toBe(0);
  return figures;
}

/**
 * What the stack sustains end to end on this machine now: 32 senders in a closed loop for 12 s through the gateway,
 * then, once all of it is in Postgres, the rate at which it landed there: acknowledged requests over the span from
 * the first to the last row they wrote (receipts and events, by projected_at). Measured on the landing side, so the
 * pipeline's latency does not count against it; a burst the pipeline cannot keep up with lands over a longer span.
 */
async function measureCapacity(): Promise<number> {
  const deliveries = loadSlots(mixedLoad(6_000), { kind: 'in-order' }, random).flat();
  const ledger = new SendLedger(() => stack.gatewayUrl);
  const startedAt = Date.now();
  let next = 0;
  const sender = async () => {
    while (Date.now() - startedAt < 12_000 && next < deliveries.length) await ledger.send(deliveries[next++]!);
  };
  await Promise.all(Array.from({ length: 32 }, sender));
  const sentSeconds = (Date.now() - startedAt) / 1000;
  await ledger.resendRefused();
  const figures = await ledgerSettles(() => stack.db, ledger, 180_000, 500);
  expect(figures.lost).toBe(0);
  expect(figures.duplicated).toBe(0);
  const drainedSeconds = (Date.now() - startedAt) / 1000;
  const receiptIds = ledger.acknowledged.map((a) => a.receiptId);
  const span = (
    await stack.db.query(
      `SELECT extract(epoch FROM max(at) - min(at))::float AS seconds FROM (
         SELECT projected_at AS at FROM hookbus.receipts WHERE receipt_id = ANY($1::uuid[])
         UNION ALL SELECT projected_at FROM hookbus.events WHERE receipt_id = ANY($1::uuid[])) landed`,
      [receiptIds],
    )
  ).rows[0].seconds as number;
  const sustained = figures.acknowledged / Math.max(span, 1);
  say(
    `[faults] capacity: ${figures.acknowledged} acknowledged in ${sentSeconds.toFixed(1)} s (${(figures.acknowledged / sentSeconds).toFixed(0)}/s at the gateway), landed in Postgres over ${span.toFixed(1)} s (all in after ${drainedSeconds.toFixed(1)} s): sustains ${sustained.toFixed(0)} webhooks/s end to end`,
  );
  return sustained;
}

/**
 * Kills `name` `count` times: each time once its instance is seen consuming (its processed-records counter moves),
 * after a random 0-1.5 s more, so the SIGKILL lands in the middle of its work (a batch, a Kafka or Postgres
 * transaction), not in a rebalance; then starts a new instance. Returns the kill times (s after `from`).
 */
async function killWhileConsuming(name: ServiceName, from: number, count: number, halted: { reason: unknown }): Promise<number[]> {
  const landed: number[] = [];
  for (let k = 0; k < count; k += 1) {
    // Another stage's loop failed: stop killing, so the failure is not followed by kills in later scenarios.
    if (halted.reason) throw halted.reason;
    const victim = stack.running(name)[0];
    if (!victim) throw new Error(`no running ${name} to kill`);
    const before = await metric(victim, 'hookbus_records_processed_total');
    await waitForMetric(victim, 'hookbus_records_processed_total', 300_000, before);
    await pause(between(0, 1500));
    landed.push((Date.now() - from) / 1000);
    await stack.kill(victim);
    await stack.startService(name);
  }
  return landed;
}

function sortedMoments(count: number, fromMs: number, toMs: number): number[] {
  return Array.from({ length: count }, () => between(fromMs, toMs)).sort((a, b) => a - b);
}

/** A metric summed over its series; `name{a="b"}` sums the series carrying that label among others (e.g. default labels). */
async function metric(instance: ServiceInstance, name: string): Promise<number> {
  const [base, labels = ''] = name.replace('}', '').split('{');
  const wanted = labels ? labels.split(',') : [];
  const text = await (await fetch(`http://127.0.0.1:${instance.port}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => (line.startsWith(`${base} `) && wanted.length === 0) || (line.startsWith(`${base}{`) && wanted.every((pair) => line.slice(0, line.lastIndexOf('}')).includes(pair))))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

/** Replaces the running gateway with one whose hookbus.yaml has a spool in `directory`. */
async function spoolingGateway(directory: string, maxBytes: number): Promise<ServiceInstance> {
  mkdirSync(directory, { recursive: true });
  const config = join(stack.workDir, `spool-${Date.now()}.yaml`);
  writeFileSync(config, withOpenBuiltinSources(`spool:\n  directory: ${JSON.stringify(directory)}\n  maxBytes: ${maxBytes}\n`));
  stack.envFor.gateway = { HOOKBUS_CONFIG: config };
  const olds = stack.running('gateway');
  const gateway = await stack.startService('gateway');
  stack.gatewayUrl = `http://127.0.0.1:${gateway.port}`;
  for (const old of olds) await stack.kill(old);
  return gateway;
}

beforeAll(async () => {
  say(`[faults] seed ${SEED} (FAULTS_SEED=${SEED} replays the kill moments and send order)`);
  await postgres.start();
  await stack.start(say);
  say(`[faults] the suite's own Postgres cluster on 127.0.0.1:${postgres.port} (${postgres.dir})`);
  capacity = await measureCapacity();
  rate = Math.max(1, capacity * LOAD_FRACTION);
  say(`[faults] offered load: ${rate.toFixed(0)} webhooks/s (${(LOAD_FRACTION * 100).toFixed(0)} % of ${capacity.toFixed(0)}/s)`);
}, 420_000);

afterAll(async () => {
  say(`\n[faults] summary (seed ${SEED}; capacity ${capacity.toFixed(0)}/s; offered ${rate.toFixed(0)}/s)`);
  for (const { scenario: name, figures, recoverSeconds, offered, seconds, note } of report) {
    say(
      `[faults]   ${name.padEnd(36)} ${offered.toFixed(0)}/s x ${seconds.toFixed(0)} s  sent ${figures.sent} ack ${figures.acknowledged} refused ${figures.refused} lost ${figures.lost} duplicated ${figures.duplicated} recover ${recoverSeconds.toFixed(1)} s${note ? `  ${note}` : ''}`,
    );
  }
  await stack.stop().catch((error) => say(`[faults] stopping the stack: ${error}`));
  await postgres.stop();
  if (spoolMount) execFileSync('umount', [spoolMount]);
}, 180_000);

it('steady load, no fault (baseline)', async () => {
  await scenario('baseline', async () => undefined);
});

it('broker stopped and restarted', async () => {
  const figures = await scenario('broker stopped and restarted', async () => {
    await pause(between(2000, 6000));
    await stack.stopKafka();
    await pause(3000);
    await stack.startKafka();
  });
  expect(figures.refused).toBeGreaterThan(0);
});

it('Postgres cut and restored (TCP proxy)', async () => {
  await scenario('Postgres cut and restored', async () => {
    await pause(between(2000, 6000));
    stack.proxy.cut();
    await pause(8000);
    stack.proxy.restore();
  });
});

it(`every consumer SIGKILLed at ${KILLS_PER_CONSUMER} random moments each while consuming, and restarted`, async () => {
  const kills = new Map<string, number[]>();
  await scenario(
    `SIGKILL consumers x${KILLS_PER_CONSUMER} each`,
    async (loadStart) => {
      const halted: { reason: unknown } = { reason: null };
      const loops = CONSUMERS.map((name) =>
        killWhileConsuming(name, loadStart, KILLS_PER_CONSUMER, halted).then(
          (at) => void kills.set(name, at),
          (error) => void (halted.reason ??= error),
        ),
      );
      await Promise.all(loops);
      if (halted.reason) throw halted.reason;
      return [...kills].map(([name, at]) => `${name} ${at.length}`).join(', ') + ' kills';
    },
    { seconds: 10 },
  );
  for (const [name, at] of kills) say(`[faults]   ${name} killed at ${at.map((s) => s.toFixed(1)).join(', ')} s`);
  for (const name of CONSUMERS) expect(kills.get(name)).toHaveLength(KILLS_PER_CONSUMER);
  for (const name of CONSUMERS) expect(stack.running(name)).toHaveLength(1);
});

it('two instances of each consumer, then one killed: forced rebalances', async () => {
  await scenario('two instances + rebalance', async () => {
    await pause(between(500, 3000));
    const originals = CONSUMERS.map((name) => stack.running(name)[0]!);
    for (const name of CONSUMERS) await stack.startService(name);
    for (const original of originals) await stack.kill(original);
  });
  for (const name of CONSUMERS) expect(stack.running(name)).toHaveLength(1);
});

it('a flood of duplicates: every request sent 5 times at once', async () => {
  const figures = await scenario('duplicate flood (x5)', async () => undefined, { seconds: 15, mode: { kind: 'duplicates', copies: 5 } });
  expect(figures.acknowledged).toBe(figures.sent);
});

it('a storm of out-of-order statuses: each sequence shuffled and sent at once', async () => {
  await scenario('out-of-order storm', async () => undefined, { seconds: 15, mode: { kind: 'shuffled' } });
});

it("Postgres slow: the projector's tables locked (ACCESS EXCLUSIVE) for seconds at a time under load", async () => {
  const holds: number[] = [];
  await scenario(
    'Postgres slow (tables locked)',
    async (loadStart) => {
      const locker = new Client({ connectionString: stack.databaseUrl });
      locker.on('error', () => undefined);
      await locker.connect();
      try {
        for (const moment of sortedMoments(3, 1000, 18_000)) {
          const wait = loadStart + moment - Date.now();
          if (wait > 0) await pause(wait);
          const heldFor = Math.round(between(3000, 6000));
          await locker.query('BEGIN');
          await locker.query('LOCK TABLE hookbus.receipts, hookbus.events, hookbus.communications, hookbus.processes IN ACCESS EXCLUSIVE MODE');
          await pause(heldFor);
          await locker.query('COMMIT');
          holds.push(heldFor / 1000);
        }
      } finally {
        await locker.end();
      }
      return `locks held ${holds.map((s) => `${s.toFixed(1)} s`).join(', ')}`;
    },
    { seconds: 20 },
  );
  expect(holds).toHaveLength(3);
});

it('Postgres crashed (pg_ctl -m immediate) and restarted mid-transaction under load', async () => {
  const crashes: number[] = [];
  await scenario(
    'Postgres crashed and restarted',
    async (loadStart) => {
      for (const moment of sortedMoments(2, 2000, 16_000)) {
        const wait = loadStart + moment - Date.now();
        if (wait > 0) await pause(wait);
        crashes.push((Date.now() - loadStart) / 1000);
        await postgres.crash();
        await pause(2000);
        await postgres.restart();
      }
      await stack.reconnectDb();
      return `crashed at ${crashes.map((s) => `${s.toFixed(1)} s`).join(', ')}`;
    },
    { seconds: 20 },
  );
  expect(crashes).toHaveLength(2);
});

it('gateway SIGKILLed while spooling (broker down), restarted, broker restored: every 200 delivered once', async () => {
  await spoolingGateway(join(stack.workDir, 'spool'), 64 * 1024 * 1024);
  let spooledAtKill = 0;
  await scenario(
    'gateway SIGKILL while spooling',
    async () => {
      await pause(between(1000, 3000));
      await stack.stopKafka();
      await pause(between(4000, 8000));
      const gateway = stack.running('gateway')[0]!;
      spooledAtKill = await metric(gateway, 'hookbus_gateway_spool_records');
      await stack.kill(gateway);
      const restarted = await stack.startService('gateway');
      stack.gatewayUrl = `http://127.0.0.1:${restarted.port}`;
      await pause(2000);
      await stack.startKafka();
      return `${spooledAtKill} records in the spool at the kill`;
    },
    { seconds: 15 },
  );
  // The kill landed while the gateway was answering from its spool, not before it started spooling.
  expect(spooledAtKill).toBeGreaterThan(0);
});

it("the spool's disk full (a 1 MiB tmpfs, filled by another file but for 32 KiB): 503, never a 200 that is lost", async () => {
  spoolMount = join(stack.workDir, 'small-disk');
  mkdirSync(spoolMount, { recursive: true });
  // A size-limited file system for the spool: needs root (CAP_SYS_ADMIN), as CI runs. Without it this fails, saying so.
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', spoolMount]);
  const gateway = await spoolingGateway(join(spoolMount, 'spool'), 64 * 1024 * 1024);
  // Something else filled the disk: what is left holds about 20 spooled webhooks, far below the spool's own bound.
  const { bavail, bsize } = statfsSync(spoolMount);
  writeFileSync(join(spoolMount, 'filler'), Buffer.alloc(Math.max(0, bavail * bsize - 32 * 1024)));
  let refusedIo = 0;
  const figures = await scenario(
    'spool disk full',
    async () => {
      await pause(between(1000, 3000));
      await stack.stopKafka();
      await waitForMetric(gateway, 'hookbus_gateway_spool_refused_total{reason="io"}', 60_000);
      await pause(2000);
      refusedIo = await metric(gateway, 'hookbus_gateway_spool_refused_total{reason="io"}');
      await stack.startKafka();
      // The disk stays full: the drain records its progress in place (checkpoint slots), empties the spool, and the
      // gateway writes to Kafka directly again. (Before, it refused every webhook until someone freed the disk.)
      return `${refusedIo} refused for the full disk`;
    },
    { seconds: 15 },
  );
  expect(refusedIo).toBeGreaterThan(0);
  expect(figures.refused).toBeGreaterThan(0);
});

/** Waits until the metric (summed over its series) is above `above`. */
async function waitForMetric(instance: ServiceInstance, name: string, timeoutMs: number, above = 0): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await metric(instance, name)) <= above) {
    if (Date.now() > deadline) throw new Error(`${instance.id}: ${name} stayed at most ${above} for ${timeoutMs} ms`);
    await pause(250);
  }
}
