import type { Client } from 'pg';
import { waitFor } from '@hookbus/testing';
import { expectationFor, urlOf, type Delivery } from './fault-load';

/** Every request the suite sent and what the gateway answered. */
export class SendLedger {
  readonly sent: Delivery[] = [];
  readonly acknowledged: Array<{ delivery: Delivery; receiptId: string }> = [];
  /** Answered 503 (or not answered at all): the provider retries these, and so does the suite after recovery. */
  readonly refused: Delivery[] = [];
  readonly unexpected: Array<{ delivery: Delivery; status: number; text: string }> = [];
  /** Every request's answer (0: none, e.g. a reset connection) with when it went out and came back (Date.now()). */
  readonly answers: Array<{ status: number; sentAt: number; answeredAt: number }> = [];
  requests = 0;

  constructor(private readonly gatewayUrl: () => string) {}

  async send(delivery: Delivery, firstTime = true): Promise<boolean> {
    if (firstTime) this.sent.push(delivery);
    this.requests += 1;
    const sentAt = Date.now();
    let response: Response;
    try {
      response = await fetch(urlOf(this.gatewayUrl(), delivery), {
        method: delivery.method,
        body: delivery.method === 'GET' ? undefined : delivery.body,
        headers: delivery.contentType ? { 'content-type': delivery.contentType } : {},
        signal: AbortSignal.timeout(20_000),
      });
    } catch {
      this.answers.push({ status: 0, sentAt, answeredAt: Date.now() });
      this.refused.push(delivery);
      return false;
    }
    const text = await response.text();
    this.answers.push({ status: response.status, sentAt, answeredAt: Date.now() });
    if (response.status === 200) {
      this.acknowledged.push({ delivery, receiptId: (JSON.parse(text) as { receiptId: string }).receiptId });
      return true;
    }
    if (response.status === 503) this.refused.push(delivery);
    else this.unexpected.push({ delivery, status: response.status, text: text.slice(0, 200) });
    return false;
  }

  /** Resends what was refused until each is acknowledged, as a provider's retry would. */
  async resendRefused(timeoutMs = 120_000): Promise<number> {
    const pending = this.refused.splice(0);
    const total = pending.length;
    for (const delivery of pending) {
      await waitFor(() => this.send(delivery, false).then((ok) => ok || (this.refused.pop(), false)), { timeoutMs, intervalMs: 500, what: 'a refused request to be acknowledged on retry' });
    }
    return total;
  }
}

export interface LedgerFigures {
  readonly sent: number;
  readonly acknowledged: number;
  readonly refused: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly wrongStates: string[];
  readonly deadLetters: number;
}

/** Runs `work` with a rate bound: at most `concurrency` at once and at most `perSecond` starts a second. */
export async function paced<T>(items: readonly T[], concurrency: number, perSecond: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let startedAt = Date.now();
  let started = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next]!;
      next += 1;
      started += 1;
      const due = startedAt + (started / perSecond) * 1000;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      await work(item);
    }
  };
  startedAt = Date.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/**
 * Open loop: slot i starts when the requests before it are due at `perSecond`, whether or not earlier ones have been
 * answered (a provider does not wait for the gateway); every request of a slot at once. Stops taking slots once
 * `until(scheduledSeconds)` says so (if given; scheduled time, not the clock, so a starved event loop that wakes late
 * catches up instead of ending the run early); resolves when all are answered, with the seconds they were sent over.
 */
export async function openLoop<T>(slots: Iterable<T[]>, perSecond: number, work: (item: T) => Promise<unknown>, until?: (scheduledSeconds: number) => boolean): Promise<number> {
  const startedAt = Date.now();
  const pending: Array<Promise<unknown>> = [];
  let due = 0;
  for (const slot of slots) {
    const at = startedAt + (due / perSecond) * 1000;
    if (at > Date.now()) await new Promise((r) => setTimeout(r, at - Date.now()));
    if (until?.(due / perSecond)) break;
    for (const item of slot) pending.push(work(item));
    due += slot.length;
  }
  const spanSeconds = Math.max((due / perSecond), (Date.now() - startedAt) / 1000);
  await Promise.all(pending);
  return spanSeconds;
}

const STATUS_EVENT_TYPES = ['hookbus.communication.status', 'hookbus.process.status', 'hookbus.check.update'];

/**
 * The ledger check: every acknowledged receipt in hookbus.receipts exactly once; every expected event in
 * hookbus.events exactly once and no other status event for these receipts; final states equal the oracle's;
 * no dead letter (none is expected from well-formed provider sequences).
 */
export async function ledgerCheck(db: Client, ledger: SendLedger): Promise<LedgerFigures> {
  const receiptIds = ledger.acknowledged.map((a) => a.receiptId);
  const expected = expectationFor(ledger.sent);
  const eventIds = [...expected.eventIds];
  const receipts = (await db.query('SELECT receipt_id::text AS id, count(*)::int AS n FROM hookbus.receipts WHERE receipt_id = ANY($1::uuid[]) GROUP BY receipt_id', [receiptIds])).rows as Array<{ id: string; n: number }>;
  const events = (await db.query('SELECT event_id::text AS id, count(*)::int AS n FROM hookbus.events WHERE event_id::text = ANY($1::text[]) GROUP BY event_id', [eventIds])).rows as Array<{ id: string; n: number }>;
  const strays = (await db.query('SELECT count(DISTINCT event_id)::int AS n FROM hookbus.events WHERE receipt_id = ANY($1::uuid[]) AND type = ANY($2::text[]) AND NOT (event_id::text = ANY($3::text[]))', [receiptIds, STATUS_EVENT_TYPES, eventIds])).rows[0].n as number;
  const wrongStates: string[] = [];
  const communications = (await db.query('SELECT communication_id AS key, status, final FROM hookbus.communications WHERE communication_id = ANY($1::text[])', [[...expected.communications.keys()]])).rows as Array<{ key: string; status: string; final: boolean }>;
  const gotCommunications = new Map(communications.map((r) => [r.key, r]));
  for (const [key, state] of expected.communications) {
    const row = gotCommunications.get(key);
    if (!row || row.status !== state.status || row.final !== state.final) wrongStates.push(`${key}: expected ${state.status}${state.final ? ' (final)' : ''}, got ${row ? `${row.status}${row.final ? ' (final)' : ''}` : 'no row'}`);
  }
  const processes = (await db.query('SELECT process_key AS key, status FROM hookbus.processes WHERE process_key = ANY($1::text[])', [[...expected.processes.keys()]])).rows as Array<{ key: string; status: string }>;
  const gotProcesses = new Map(processes.map((r) => [r.key, r]));
  for (const [key, state] of expected.processes) {
    const row = gotProcesses.get(key);
    if (!row || row.status !== state.status) wrongStates.push(`${key}: expected ${state.status}, got ${row?.status ?? 'no row'}`);
  }
  wrongStates.push(...(await brokenTransitionChains(db, 'communication_transitions', 'communication_id', expected.communications)));
  wrongStates.push(...(await brokenTransitionChains(db, 'process_transitions', 'process_key', expected.processes)));
  const deadLetters = (await db.query('SELECT count(*)::int AS n FROM hookbus.dead_letters')).rows[0].n as number;
  const missingReceipts = receiptIds.length - receipts.length;
  const missingEvents = eventIds.length - events.length;
  const duplicated = receipts.filter((r) => r.n > 1).length + events.filter((e) => e.n > 1).length + strays;
  return {
    sent: ledger.sent.length,
    acknowledged: ledger.acknowledged.length,
    refused: ledger.requests - ledger.acknowledged.length - ledger.unexpected.length,
    lost: missingReceipts + missingEvents,
    duplicated,
    wrongStates,
    deadLetters,
  };
}

/**
 * No transition lost or repeated: per key the announced transitions run seq 1..n without a gap, each starts where
 * the previous one ended (the first from nothing), and the last ends in the final state. Which intermediate statuses
 * were announced depends on arrival order (a shuffled storm may skip one), so only the chain is checked, not its steps.
 */
async function brokenTransitionChains(
  db: Client,
  table: 'communication_transitions' | 'process_transitions',
  keyColumn: 'communication_id' | 'process_key',
  expected: ReadonlyMap<string, { status: string; seq: number }>,
): Promise<string[]> {
  const rows = (
    await db.query(`SELECT ${keyColumn} AS key, seq, from_status, to_status FROM hookbus.${table} WHERE ${keyColumn} = ANY($1::text[]) AND kind = 'transition' ORDER BY 1, 2`, [[...expected.keys()]])
  ).rows as Array<{ key: string; seq: number; from_status: string | null; to_status: string }>;
  const chains = new Map<string, typeof rows>();
  for (const row of rows) chains.set(row.key, [...(chains.get(row.key) ?? []), row]);
  const broken: string[] = [];
  for (const [key, state] of expected) {
    const chain = chains.get(key) ?? [];
    // A Credas process known only from its actor webhooks holds the entity, unannounced (seq 0).
    if (chain.length === 0 && state.seq === 0) continue;
    const gap = chain.findIndex((t, i) => t.seq !== i + 1 || t.from_status !== (i === 0 ? null : chain[i - 1]!.to_status));
    const last = chain[chain.length - 1];
    if (gap >= 0) broken.push(`${key}: transition #${chain[gap]!.seq} ${chain[gap]!.from_status ?? '∅'} → ${chain[gap]!.to_status} breaks the chain`);
    else if (!last || last.to_status !== state.status) broken.push(`${key}: transitions end in ${last?.to_status ?? 'nothing'}, the state is ${state.status}`);
  }
  return broken;
}

/** Polls the ledger until it balances (nothing lost, nothing duplicated, states right) or the deadline passes. */
export async function ledgerSettles(db: Client | (() => Client), ledger: SendLedger, timeoutMs: number, intervalMs = 1000): Promise<LedgerFigures> {
  const client = typeof db === 'function' ? db : () => db;
  let last: LedgerFigures | null = null;
  try {
    return await waitFor(
      async () => {
        last = await ledgerCheck(client(), ledger);
        return last.lost === 0 && last.wrongStates.length === 0 ? last : undefined;
      },
      { timeoutMs, intervalMs, what: 'the ledger to balance' },
    );
  } catch {
    return last ?? (await ledgerCheck(client(), ledger));
  }
}
