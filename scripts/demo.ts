/**
 * `npm run demo`: against a running stack (`npm start`; without CREDAS_API_KEY it runs the fake Credas API), sends a realistic
 * webhook sequence for every provider to the gateway — including a repeat and an out-of-order update — and prints
 * the state that ends up in Postgres. Authenticates each request as its provider would, with the secrets of the
 * config the stack uses (HOOKBUS_CONFIG, ./hookbus.yaml, or the local one `npm start` generates).
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { EXIT_FAILED, EXIT_USAGE, finishCommand, formatHelp, handleHelp, refuseArguments, UsageError, loadEnv, loadHookbusConfig, type CommandHelp, type SourceConfig } from '@hookbus/config';
import { credentialsFor, withQuery } from './webhook-credentials';

/** Every webhook was accepted, but not every row (or no Credas result) reached Postgres in time. */
const EXIT_INCOMPLETE = 2;

const DEMO_HELP: CommandHelp = {
  usage: ['npm run demo'],
  summary:
    'Against a running stack (npm start): sends a realistic webhook sequence for every provider to the gateway at GATEWAY_PORT, signed with the secrets of the config the stack uses, then prints the state it left in Postgres (DATABASE_URL).',
  exitCodes: [[EXIT_INCOMPLETE, 'every webhook was accepted, but not every row (or no Credas result) reached Postgres in time']],
};

// Before anything reads a setting: --help works anywhere, and an argument (the demo takes none) stops it with 64.
handleHelp(process.argv.slice(2), DEMO_HELP);
try {
  refuseArguments(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n\n${formatHelp(DEMO_HELP)}`);
  process.exit(error instanceof UsageError ? EXIT_USAGE : EXIT_FAILED);
}

const env = loadEnv();
const gateway = `http://127.0.0.1:${env.gatewayPort}`;
const sources = new Map<string, SourceConfig>(loadHookbusConfig(env.configPath).sources.map((s) => [s.id, s]));

/** The source a demo path posts to, from the config: the demo needs its secret. */
function sourceOf(path: string): SourceConfig {
  const id = /^\/webhooks\/([a-z0-9-]+)/.exec(path)?.[1] ?? '';
  const source = sources.get(id);
  if (!source) throw new Error(`source ${id} is not in ${env.configPath ?? 'the config (no hookbus.yaml: run npm start once, it writes a local one)'}`);
  return source;
}

interface Step {
  readonly label: string;
  readonly path: string;
  readonly method?: 'GET' | 'POST';
  readonly body?: unknown;
  /** Completion comes minutes after the invitations in real life: let the tracker learn the entity first. */
  readonly afterEntityKnown?: string;
}

async function send(step: Step): Promise<void> {
  const body = step.body === undefined ? undefined : JSON.stringify(step.body);
  const credentials = credentialsFor(sourceOf(step.path).auth, Buffer.from(body ?? ''));
  const response = await fetch(`${gateway}${withQuery(step.path, credentials.query)}`, {
    method: step.method ?? 'POST',
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...credentials.headers },
    body,
  });
  const text = await response.text();
  console.log(`  ${String(response.status).padEnd(4)} ${step.label.padEnd(58)} ${text.slice(0, 70)}`);
  if (response.status !== 200) throw new Error(`the gateway refused "${step.label}" (${response.status}); does the stack use the config at ${env.configPath ?? '(none)'}?`);
}

function sequences(): { steps: Step[]; keys: { processes: string[]; communicationPrefixes: string[] }; credasProcessId: string } {
  const credasProcess = randomUUID();
  const entity = randomUUID();
  const client = randomUUID();
  const actor = (sms: number, email: number, smsText: string, emailText: string) => ({
    clientId: client, processId: credasProcess, processActorId: 11014, entityId: entity,
    smsStatus: sms, smsStatusDescription: smsText, emailStatus: email, emailStatusDescription: emailText,
  });
  const bp = randomUUID();
  const authvia = (status: string, version: number, extra: Record<string, unknown> = {}) => ({
    id: bp, blueprintSlug: 'card-payment', partnerId: 'PARTNER-1', avid: 'AV-123456', customerId: 'CUST-42', status, version,
    expiration: new Date(Date.now() + 45 * 86_400_000).toISOString(), actions: [{ id: 'act-1', type: 'payment', status: 'pending' }],
    addresses: [{ type: 'phone', value: '+15555550123' }], ...extra,
  });
  const phone = `+3069${String(Date.now()).slice(-8)}`;
  const customId = `CAMPAIGN7-${String(Date.now()).slice(-6)}`;
  const session = `D${randomUUID().replace(/-/g, '').slice(0, 9)}`;
  const cellosign = (type: string, extra: Record<string, unknown> = {}) => ({
    event: { type, timestamp: new Date().toISOString().replace('Z', '').padEnd(26, '0') },
    session: { id: session, reference: randomUUID(), process_id: randomUUID(), process_number: 51, transaction_number: 53, recipient: { id: 1, name: 'client' }, labels: { CUSTOMER_TAG: 'CUSTOMER_VALUE' } },
    ...extra,
  });
  return {
    credasProcessId: credasProcess,
    keys: { processes: [`credas:${credasProcess}`, `authvia:${bp}`, `cellosign:${session}`], communicationPrefixes: [`credas:${credasProcess}:`, `octapush:viber:${phone}`, `octapush:sms:${phone}`] },
    steps: [
      { label: 'Credas actor: invitations sent (sms, email)', path: '/webhooks/credas-actor', body: actor(1, 1, 'Sent', 'Sent') },
      { label: 'Credas actor: sms delivered, email delivered', path: '/webhooks/credas-actor', body: actor(2, 2, 'Delivered', 'Delivered') },
      { label: 'Credas actor: the same update again (a provider retry)', path: '/webhooks/credas-actor', body: actor(2, 2, 'Delivered', 'Delivered') },
      { label: 'Credas actor: email opened', path: '/webhooks/credas-actor', body: actor(2, 3, 'Delivered', 'Opened') },
      { label: 'Credas process: complete (fetches results)', afterEntityKnown: `credas:${credasProcess}`, path: '/webhooks/credas-process?our-reference=DEMO-1', body: { ProcessId: credasProcess, ClientId: client, Status: 2, StatusDescription: 'The process is complete' } },
      { label: 'Authvia: business process scheduled (v1)', path: '/webhooks/authvia-business-process', body: authvia('scheduled', 1) },
      { label: 'Authvia: resolved (v3)', path: '/webhooks/authvia-business-process', body: authvia('resolved', 3, { closedDate: new Date().toISOString() }) },
      { label: 'Authvia: in-progress (v2) arrives late: stale, ignored', path: '/webhooks/authvia-business-process', body: authvia('in-progress', 2) },
      { label: 'Octapush Viber: submitted (POST)', path: '/webhooks/octapush-viber', body: { phone, status: 'Submitted', firstname: 'Maria', customId } },
      { label: 'Octapush Viber: fell back to SMS (status in the URL, GET)', path: `/webhooks/octapush-viber/Fallbacksms?phone=${encodeURIComponent(phone)}&customId=${customId}`, method: 'GET' },
      { label: 'Octapush SMS: delivered (GET)', path: `/webhooks/octapush-sms/Delivered?phone=${encodeURIComponent(phone)}&customId=${customId}`, method: 'GET' },
      { label: 'Cellosign: session created', path: '/webhooks/cellosign', body: cellosign('WHEF_SESSION_CREATED') },
      { label: 'Cellosign: client logged in', path: '/webhooks/cellosign', body: cellosign('WHEF_CLIENT_LOGGED_IN', { client: { ip: '203.0.113.7', user_agent: 'Mozilla/5.0' } }) },
      { label: 'Cellosign: form submitted', path: '/webhooks/cellosign', body: cellosign('WHEF_CLIENT_FORM_SUBMITTED', { client: { ip: '203.0.113.7', user_agent: 'Mozilla/5.0' } }) },
    ],
  };
}

async function waitForEntity(db: Client, processKey: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const row = await db.query('SELECT entity_id FROM hookbus.processes WHERE process_key = $1 AND entity_id IS NOT NULL', [processKey]);
    if (row.rowCount) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function waitForRows(db: Client, processKeys: string[], prefixes: string[]): Promise<boolean> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const processes = await db.query('SELECT count(*)::int AS n FROM hookbus.processes WHERE process_key = ANY($1)', [processKeys]);
    const comms = await db.query(`SELECT count(*)::int AS n FROM hookbus.communications WHERE ${prefixes.map((_, i) => `communication_id LIKE $${i + 1}`).join(' OR ')}`, prefixes.map((p) => `${p}%`));
    if (processes.rows[0].n >= processKeys.length && comms.rows[0].n >= 4) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  console.log('  (not every row arrived within 30 s; showing what is there)');
  return false;
}

async function main(): Promise<number> {
  const health = await fetch(`${gateway}/health/ready`).catch(() => null);
  if (!health?.ok) throw new Error(`no ready gateway at ${gateway}: start the stack first (npm start)`);
  const { steps, keys, credasProcessId } = sequences();
  console.log(`Sending ${steps.length} webhooks to ${gateway}:`);
  const db = new Client({ connectionString: env.databaseUrl });
  await db.connect();
  try {
    for (const step of steps) {
      if (step.afterEntityKnown) await waitForEntity(db, step.afterEntityKnown);
      await send(step);
    }
    const complete = await waitForRows(db, keys.processes, keys.communicationPrefixes);
    const comms = await db.query(
      `SELECT communication_id, status, final, provider_status->>'code' AS code FROM hookbus.communications
        WHERE ${keys.communicationPrefixes.map((_, i) => `communication_id LIKE $${i + 1}`).join(' OR ')} ORDER BY communication_id`,
      keys.communicationPrefixes.map((p) => `${p}%`),
    );
    console.log('\nhookbus.communications');
    console.table(comms.rows);
    const processes = await db.query('SELECT process_key, status, provider_status->>\'code\' AS code, version, entity_id FROM hookbus.processes WHERE process_key = ANY($1) ORDER BY process_key', [keys.processes]);
    console.log('hookbus.processes');
    console.table(processes.rows);
    const transitions = await db.query(
      `SELECT communication_id AS key, seq, from_status, to_status FROM hookbus.communication_transitions WHERE ${keys.communicationPrefixes.map((_, i) => `communication_id LIKE $${i + 1}`).join(' OR ')}
       ORDER BY 1, 2`,
      keys.communicationPrefixes.map((p) => `${p}%`),
    );
    console.log('hookbus.communication_transitions');
    console.table(transitions.rows);
    const deadline = Date.now() + 20_000;
    let results = await db.query('SELECT process_id, entity_id, report_sha256, retrieved_at FROM hookbus.credas_results WHERE process_id = $1', [credasProcessId]);
    while (results.rowCount === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      results = await db.query('SELECT process_id, entity_id, report_sha256, retrieved_at FROM hookbus.credas_results WHERE process_id = $1', [credasProcessId]);
    }
    console.log('hookbus.credas_results');
    if (results.rowCount) console.table(results.rows);
    else console.log('  (none yet: is the orchestrator pointed at a Credas API? without CREDAS_API_KEY, npm start runs a fake one)');
    console.log(`\nOne timeline: npm run show -- credas:${credasProcessId}`);
    return complete && results.rowCount ? 0 : EXIT_INCOMPLETE;
  } finally {
    await db.end();
  }
}

finishCommand(main(), DEMO_HELP);
