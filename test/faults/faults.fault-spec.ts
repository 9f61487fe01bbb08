import { TEST_DATABASE_URL } from '@hookbus/testing';
import { CONSUMERS, FaultStack } from './fault-stack';
import { ledgerSettles, paced, SendLedger, type LedgerFigures } from './fault-ledger';
import { mixedEntities, shuffled, type EntitySequence } from './fault-load';

/**
 * The fault suite: a steady, bounded load of mixed-provider webhooks through the real stack (one process per
 * service), a fault in the middle of it, then the ledger check. Requests refused with 503 during the fault are
 * resent after recovery, as the provider would.
 */
const stack = new FaultStack(process.env.TEST_DATABASE_URL || TEST_DATABASE_URL);
const say = (line: string) => process.stdout.write(`${line}\n`);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const report: Array<{ scenario: string; figures: LedgerFigures; recoverSeconds: number }> = [];

/** How each entity's deliveries go out: in order, duplicated N times, or shuffled and all at once. */
type Mode = { kind: 'in-order' } | { kind: 'duplicates'; copies: number } | { kind: 'shuffled' };

async function sendEntity(ledger: SendLedger, entity: EntitySequence, mode: Mode): Promise<void> {
  if (mode.kind === 'shuffled') {
    await Promise.all(shuffled(entity.deliveries).map((d) => ledger.send(d)));
    return;
  }
  for (const delivery of entity.deliveries) {
    if (mode.kind === 'duplicates') await Promise.all(Array.from({ length: mode.copies }, () => ledger.send(delivery)));
    else await ledger.send(delivery);
  }
}

/**
 * Sends the load while `fault` runs; `fault` resolves when the fault is over (the recovery clock starts). Then
 * resends what was refused and waits for the ledger to balance.
 */
async function scenario(name: string, fault: () => Promise<void>, options: { perKind?: number; mode?: Mode } = {}): Promise<LedgerFigures> {
  const ledger = new SendLedger(() => stack.gatewayUrl);
  const entities = mixedEntities(options.perKind ?? 10);
  const load = paced(entities, 4, 4, (entity) => sendEntity(ledger, entity, options.mode ?? { kind: 'in-order' }));
  await fault();
  const faultOverAt = Date.now();
  await load;
  await ledger.resendRefused();
  const figures = await ledgerSettles(stack.db, ledger, 180_000);
  const recoverSeconds = (Date.now() - faultOverAt) / 1000;
  report.push({ scenario: name, figures, recoverSeconds });
  say(
    `[faults] ${name.padEnd(34)} sent ${String(figures.sent).padStart(4)}  acknowledged ${String(figures.acknowledged).padStart(4)}  refused ${String(figures.refused).padStart(3)}  lost ${figures.lost}  duplicated ${figures.duplicated}  dead letters ${figures.deadLetters}  recovered in ${recoverSeconds.toFixed(1)} s`,
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

beforeAll(async () => {
  await stack.start(say);
}, 300_000);

afterAll(async () => {
  say('\n[faults] summary');
  for (const { scenario: name, figures, recoverSeconds } of report) {
    say(`[faults]   ${name.padEnd(34)} sent ${figures.sent} ack ${figures.acknowledged} refused ${figures.refused} lost ${figures.lost} duplicated ${figures.duplicated} recover ${recoverSeconds.toFixed(1)} s`);
  }
  await stack.stop();
}, 120_000);

it('steady load, no fault (baseline)', async () => {
  await scenario('baseline', async () => undefined);
});

it('broker stopped and restarted', async () => {
  const figures = await scenario('broker stopped and restarted', async () => {
    await pause(2000);
    await stack.stopKafka();
    await pause(3000);
    await stack.startKafka();
  });
  expect(figures.refused).toBeGreaterThan(0);
});

it('Postgres cut and restored (TCP proxy)', async () => {
  await scenario('Postgres cut and restored', async () => {
    await pause(2000);
    stack.proxy.cut();
    await pause(8000);
    stack.proxy.restore();
  });
});

describe.each(CONSUMERS)('%s killed with SIGKILL mid-stream and restarted', (name) => {
  it('loses nothing and duplicates nothing', async () => {
    await scenario(`SIGKILL ${name}`, async () => {
      await pause(2500);
      await stack.kill(stack.running(name)[0]!);
      await pause(2000);
      await stack.startService(name);
    });
  });
});

it('two instances of each consumer, then one killed: forced rebalances', async () => {
  await scenario('two instances + rebalance', async () => {
    await pause(1000);
    const originals = CONSUMERS.map((name) => stack.running(name)[0]!);
    for (const name of CONSUMERS) await stack.startService(name);
    for (const original of originals) await stack.kill(original);
  });
  for (const name of CONSUMERS) expect(stack.running(name)).toHaveLength(1);
});

it('a flood of duplicates: every request sent 5 times at once', async () => {
  const figures = await scenario('duplicate flood (x5)', async () => undefined, { perKind: 5, mode: { kind: 'duplicates', copies: 5 } });
  expect(figures.acknowledged).toBe(figures.sent);
});

it('a storm of out-of-order statuses: each sequence shuffled and sent at once', async () => {
  await scenario('out-of-order storm', async () => undefined, { perKind: 15, mode: { kind: 'shuffled' } });
});
