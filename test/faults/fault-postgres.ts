import { execFile, execFileSync } from 'node:child_process';
import { connect } from 'node:net';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A Postgres cluster of the fault suite's own (initdb into a temp dir with the machine's binaries), so a scenario can
 * crash and restart it mid-transaction without touching the shared server on 5432. initdb and the server refuse to
 * run as root: as root they run as the `postgres` user (runuser), otherwise as the current user.
 */
export class FaultPostgres {
  readonly dir: string;
  private readonly bin: string;
  private started = false;

  constructor(readonly port: number) {
    this.bin = postgresBin();
    this.dir = mkdtempSync(join(tmpdir(), 'hookbus-faults-pg-'));
    if (process.getuid?.() === 0) chownSync(this.dir, postgresIds().uid, postgresIds().gid);
  }

  /** The cluster's admin URL (database `postgres`, trust auth, TCP on 127.0.0.1). */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  async start(): Promise<void> {
    if (await answers(this.port)) throw new Error(`something already answers on 127.0.0.1:${this.port}; the fault suite's own Postgres needs that port`);
    if (!existsSync(join(this.dir, 'data', 'PG_VERSION'))) await this.asOwner('initdb', ['-D', join(this.dir, 'data'), '-U', 'postgres', '--auth=trust', '-N', '-E', 'UTF8', '--locale=C']);
    await this.ctl(['start', '-w', '-t', '60', '-l', join(this.dir, 'server.log'), '-o', `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c max_connections=200`]);
    this.started = true;
  }

  /** A crash: `pg_ctl -m immediate stop` (no checkpoint, open transactions die with their connections). */
  async crash(): Promise<void> {
    await this.ctl(['stop', '-m', 'immediate', '-w']);
  }

  /** Starts it again after a crash: WAL recovery, then accepting connections. */
  async restart(): Promise<void> {
    await this.ctl(['start', '-w', '-t', '60', '-l', join(this.dir, 'server.log'), '-o', `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c max_connections=200`]);
  }

  async stop(): Promise<void> {
    if (this.started) await this.ctl(['stop', '-m', 'fast', '-w']).catch(() => undefined);
    this.started = false;
    rmSync(this.dir, { recursive: true, force: true });
  }

  private ctl(args: string[]): Promise<unknown> {
    return this.asOwner('pg_ctl', ['-D', join(this.dir, 'data'), ...args]);
  }

  private asOwner(tool: string, args: string[]): Promise<unknown> {
    const path = join(this.bin, tool);
    return process.getuid?.() === 0 ? run('runuser', ['-u', 'postgres', '--', path, ...args], { cwd: this.dir }) : run(path, args, { cwd: this.dir });
  }
}

/** The newest /usr/lib/postgresql/<version>/bin (Debian's layout), or PG_BIN. */
function postgresBin(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error('no initdb under /usr/lib/postgresql/*/bin (set PG_BIN): the fault suite runs a Postgres cluster of its own');
  return join(root, newest, 'bin');
}

function postgresIds(): { uid: number; gid: number } {
  const out = execFileSync('id', ['postgres']).toString();
  const uid = Number(/uid=(\d+)/.exec(out)?.[1]);
  const gid = Number(/gid=(\d+)/.exec(out)?.[1]);
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error('running as root and there is no `postgres` user to run initdb as');
  return { uid, gid };
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}
