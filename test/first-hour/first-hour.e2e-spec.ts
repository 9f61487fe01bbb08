/**
 * The README's first hour, as a new user lives it: a fresh clone, then the lines of the README's ```bash first-hour
 * block in order (install → start → curl → demo → show → lag → Ctrl-C), each step's output checked. It never touches
 * a running `npm start`: its own broker port (and, being a fresh clone, its own broker data), service ports and
 * database. To keep it fast the clone's node_modules are hard links to this checkout's (its `npm install` then finds
 * everything installed); FIRST_HOUR_FRESH_INSTALL=1 lets `npm install` fetch everything instead.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { brokerAnswers } from '@hookbus/kafka';
import { waitFor } from '@hookbus/testing';
import { firstHourCommands, type ReadmeCommand } from './readme-commands';

const ROOT = join(__dirname, '..', '..');
/** Each step's output, kept after the run (the clone is deleted): .hookbus/first-hour/<step>.log. */
const LOGS = join(ROOT, '.hookbus', 'first-hour');
/**
 * `npm start`, `npm run demo`, `show` and `lag` build the project first, as every npm script does: under a minute on
 * an idle laptop, over five minutes on two cores shared with other builds (seen at a load average of 30).
 */
const BUILDING_STEP_MS = 900_000;
const KAFKA_PORT = Number(process.env.FIRST_HOUR_KAFKA_PORT || 19492);
const PORT_BASE = Number(process.env.FIRST_HOUR_PORT_BASE || 19500);
const DATABASE_URL = process.env.FIRST_HOUR_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/hookbus_first_hour';
/** Every process `npm start` runs that listens, with the setting that moves it (libs/config, scripts/start.ts). */
const PORTS: Record<string, readonly [setting: string, port: number]> = {
  gateway: ['GATEWAY_PORT', PORT_BASE],
  normalizer: ['NORMALIZER_PORT', PORT_BASE + 1],
  tracker: ['TRACKER_PORT', PORT_BASE + 2],
  orchestrator: ['ORCHESTRATOR_PORT', PORT_BASE + 3],
  projector: ['PROJECTOR_PORT', PORT_BASE + 4],
  'fake-credas': ['FAKE_CREDAS_PORT', PORT_BASE + 5],
  monitor: ['MONITOR_PORT', PORT_BASE + 6],
  console: ['CONSOLE_PORT', PORT_BASE + 7],
};
const SERVICES = ['gateway', 'normalizer', 'tracker', 'orchestrator', 'projector', 'monitor', 'console'];
/** The process the README's curl reports on (its ids are in the README's JSON). */
const CURL_PROCESS_ID = '9afe8b16-0b4d-4da3-a7d3-353c7ebece0d';

/**
 * WARN or ERROR lines a healthy start and demo may print, each because a user must act on it. Anything else at WARN
 * or ERROR fails the test: retried broker states are debug lines and a metric (libs/kafka/src/kafka-log.ts).
 */
const ALLOWED_ALERTS: ReadonlyArray<readonly [RegExp, string]> = [
  // None: a fresh clone's sources all have generated secrets (.hookbus/local.hookbus.yaml), and nothing else on a
  // healthy start needs a user's action. An entry here must say what the user has to do.
];
const ALERT = /(\bERROR\b|\bWARN\b|\bFATAL\b|"level":"(error|warn|fatal)"|^npm (ERR|warn)\b)/i;

/** The environment of a new user's shell, plus this test's own ports and database (nothing inherited). */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LANG: 'C.UTF-8',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    KAFKA_BROKERS: `127.0.0.1:${KAFKA_PORT}`,
    DATABASE_URL,
    HOOKBUS_KAFKA_HEAP_MB: process.env.HOOKBUS_KAFKA_HEAP_MB || '512',
  };
  if (process.env.HOOKBUS_CACHE_DIR) env.HOOKBUS_CACHE_DIR = process.env.HOOKBUS_CACHE_DIR;
  for (const [setting, port] of Object.values(PORTS)) env[setting] = String(port);
  return env;
}

interface Ran {
  readonly code: number | null;
  readonly output: string;
}

function collect(child: ChildProcess, sink: (chunk: string) => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', sink);
  }
}

function keepLog(step: string, output: string): void {
  writeFileSync(join(LOGS, `${step.replace(/[^a-z0-9]+/gi, '-')}.log`), output);
}

/** Runs one README line as a user's shell would, in its own process group (so a timeout can stop all of it). */
function run(command: ReadmeCommand, cwd: string, timeoutMs: number): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', command.text], { cwd, env: userEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    collect(child, (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      output += `\n[first-hour test] ${command.step} still running after ${timeoutMs} ms: killed\n`;
      process.kill(-child.pid!, 'SIGKILL');
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      keepLog(command.step, output);
      resolve({ code, output });
    });
  });
}

async function recreateDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!/^hookbus_first_hour[a-z0-9_]*$/.test(name)) throw new Error(`FIRST_HOUR_DATABASE_URL must name a database hookbus_first_hour*, which this test drops (got ${name})`);
  url.pathname = '/postgres';
  const admin = new Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    // A fresh clone meets no database: `npm start` creates it.
    await admin.query(`drop database if exists "${name}" with (force)`);
  } finally {
    await admin.end();
  }
}

async function ready(port: number): Promise<boolean> {
  const response = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => null);
  return response?.status === 200;
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

const tail = (text: string, lines = 40) => text.split('\n').slice(-lines).join('\n');

describe('the README first hour on a fresh clone', () => {
  const commands = firstHourCommands(readFileSync(join(ROOT, 'README.md'), 'utf8'));
  const command = (step: string) => {
    const found = commands.find((c) => c.step === step);
    if (!found) throw new Error(`the README's first-hour block has no ${step} step`);
    return found;
  };
  let clone = '';
  let start: ChildProcess | null = null;
  let startOutput = '';
  let demoOutput = '';

  beforeAll(async () => {
    await recreateDatabase(DATABASE_URL);
    rmSync(LOGS, { recursive: true, force: true });
    mkdirSync(LOGS, { recursive: true });
    clone = join(mkdtempSync(join(tmpdir(), 'hookbus-first-hour-')), 'hookbus');
    // The committed HEAD of this checkout, as `git clone` of the project would give it.
    execFileSync('git', ['clone', '--quiet', ROOT, clone]);
    if (process.env.FIRST_HOUR_FRESH_INSTALL !== '1') {
      execFileSync('cp', ['-al', join(ROOT, 'node_modules'), join(clone, 'node_modules')]);
      // npm rewrites its hidden lockfile; a copy keeps that write away from this checkout's file.
      const hidden = join(clone, 'node_modules', '.package-lock.json');
      if (existsSync(hidden)) {
        rmSync(hidden);
        copyFileSync(join(ROOT, 'node_modules', '.package-lock.json'), hidden);
      }
    }
    process.stdout.write(`first hour: fresh clone in ${clone}, each step's output in ${LOGS}\n`);
  });

  afterAll(async () => {
    keepLog('npm start', startOutput);
    if (start && groupAlive(start.pid!)) process.kill(-start.pid!, 'SIGKILL');
    const pidFile = join(clone, '.hookbus', 'kafka', 'broker.pid');
    if (clone && existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (clone) rmSync(join(clone, '..'), { recursive: true, force: true });
  });

  it('npm install', async () => {
    const { code, output } = await run(command('npm install'), clone, 540_000);
    expect({ code, output: tail(output) }).toMatchObject({ code: 0 });
  });

  it('npm start: the whole stack, on its own broker, with the fake Credas API said in one line', async () => {
    const line = command('npm start');
    const child = spawn('bash', ['-c', line.text], { cwd: clone, env: userEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    start = child;
    collect(child, (chunk) => (startOutput += chunk));
    // A user sends the curl when npm start says the stack is ready, not when a test has probed every service: at
    // that line every service must answer /health/ready already.
    await waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`npm start exited (${child.exitCode}):\n${tail(startOutput)}`);
        return /^hookbus is ready: /m.test(startOutput);
      },
      { timeoutMs: BUILDING_STEP_MS, intervalMs: 100, what: 'npm start saying "hookbus is ready"' },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${tail(startOutput)}`);
    });
    const notReady = (await Promise.all(SERVICES.map(async (s) => ((await ready(PORTS[s]![1])) ? [] : [s])))).flat();
    expect(notReady).toEqual([]);
    expect(startOutput).toContain(`hookbus is ready: every service answers /health/ready; send webhooks to http://127.0.0.1:${PORTS.gateway![1]}/webhooks/{sourceId}`);
    expect(startOutput).toContain(`started Apache Kafka`);
    expect(startOutput).toContain(`on 127.0.0.1:${KAFKA_PORT}, data in ${join(clone, '.hookbus', 'kafka')}`);
    const fakeCredas = startOutput.split('\n').filter((l) => /fake Credas/i.test(l));
    expect(fakeCredas).toHaveLength(1);
    expect(fakeCredas[0]).toMatch(/no CREDAS_API_KEY: .*CREDAS_API_KEY.*CREDAS_API_BASE_URL/);
  });

  it('curl: the gateway answers with a receipt id', async () => {
    // The README's curl sends the secret npm start generated for credas-actor: without it the answer would be 401.
    const { code, output } = await run(command('curl'), clone, 30_000);
    expect({ code, output }).toMatchObject({ code: 0, output: expect.stringMatching(/^\{"receiptId":"[0-9a-f-]{36}"\}$/) });
  });

  it('npm run demo: every provider, and Credas results from the fake API', async () => {
    const { code, output } = await run(command('npm run demo'), clone, BUILDING_STEP_MS);
    demoOutput = output;
    expect({ code, output: tail(output, 80) }).toMatchObject({ code: 0 });
    for (const table of ['hookbus.communications', 'hookbus.processes', 'hookbus.communication_transitions', 'hookbus.credas_results']) expect(output).toContain(table);
    expect(output).not.toContain('(none yet');
    expect(output).not.toContain('not every row arrived');
  });

  it('npm run show: the timeline of the process the curl reported on', async () => {
    const { code, output } = await run(command('npm run show'), clone, BUILDING_STEP_MS);
    expect({ code, output: tail(output) }).toMatchObject({ code: 0 });
    expect(output).toContain(CURL_PROCESS_ID);
    expect(output).toMatch(/Delivered|delivered/);
  });

  it('npm run lag: every group OK once the stack is idle, exit code 0', async () => {
    const { code, output } = await run(command('npm run lag'), clone, BUILDING_STEP_MS);
    expect({ code, output: tail(output, 80) }).toMatchObject({ code: 0 });
    expect(output).not.toMatch(/\b(STALL|STOP|ERR)\b/);
  });

  it('prints no ERROR or WARN line from start to demo except the ones a user must act on', () => {
    const alerts = `${startOutput}\n${demoOutput}`.split('\n').filter((l) => ALERT.test(l) && !ALLOWED_ALERTS.some(([allowed]) => allowed.test(l)));
    expect(alerts).toEqual([]);
  });

  it('Ctrl-C stops every service, then the broker npm start started', async () => {
    expect(start?.exitCode).toBeNull();
    // A terminal's Ctrl-C signals the whole foreground process group: npm, the start script and the services (the
    // broker runs in its own group, and the start script stops it). Done when no process of the group is left.
    process.kill(-start!.pid!, 'SIGINT');
    await waitFor(() => !groupAlive(start!.pid!), { timeoutMs: 90_000, intervalMs: 250, what: 'every process npm start ran to exit' }).catch((error: Error) => {
      throw new Error(`${error.message}\n${tail(startOutput, 15)}`);
    });
    expect(startOutput).toContain('stopping the local broker');
    expect(startOutput.trimEnd().endsWith('stopped.')).toBe(true);
    expect(existsSync(join(clone, '.hookbus', 'kafka', 'broker.pid'))).toBe(false);
    expect(await brokerAnswers([`127.0.0.1:${KAFKA_PORT}`], 1500, undefined)).toBe(false);
    for (const service of SERVICES) expect(await ready(PORTS[service]![1])).toBe(false);
  });
});
