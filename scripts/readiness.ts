/**
 * When `npm start` says the stack is ready: once every service it ran answers 200 on `/health/ready`. Until then a
 * curl can meet a gateway that does not listen yet (connection refused, and `curl -s` prints nothing), so the start
 * names the moment. A stack still not ready after a while says which service waits on what (the down checks
 * `/health/ready` reports), once, and keeps waiting: a slow first build or a broker still electing leaders is no
 * failure, and a dependency that stays down shows in that line.
 */
import { get as httpGet, type ClientRequest } from 'node:http';
import { localHost, localUrl } from '@hookbus/platform';

/** What one probe of a service's `/health/ready` found. */
export interface ReadinessProbe {
  readonly ready: boolean;
  /** Why not, in a few words: "not listening yet", "503: kafka (broker unreachable)". Empty when ready. */
  readonly why: string;
}

/** The checks a terminus `/health/ready` body reports down, as "name (message)"; the status line when it has none. */
export function downChecks(status: number, body: unknown): string {
  const error = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
  const down =
    typeof error === 'object' && error !== null
      ? Object.entries(error as Record<string, unknown>).map(([name, detail]) => {
          const message = typeof detail === 'object' && detail !== null ? (detail as { message?: unknown }).message : undefined;
          return typeof message === 'string' && message !== '' ? `${name} (${oneLine(message)})` : name;
        })
      : [];
  return down.length > 0 ? `${status}: ${down.join(', ')}` : `${status}`;
}

/** A message on one line and short: it goes into a start line beside the other services'. */
function oneLine(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Where one service answers, and which process should: the child `npm start` spawned. */
export interface ReadinessTarget {
  /** As a socket takes it: an IPv6 address without brackets, its zone id kept (libs/platform localHost). */
  readonly host: string;
  readonly port: number;
  /** The child's pid; undefined when it could not be spawned, and then the service is never ready. */
  readonly pid: number | undefined;
}

/** A ready or error body is a few hundred bytes; past this much the rest is not read (a stranger on the port). */
const MAX_BODY_BYTES = 64 * 1024;

type Answer = { readonly status: number; readonly body: unknown } | { readonly failed: string };

/**
 * One GET, bounded by `timeoutMs` from the first byte sent to the last read. node:http rather than fetch: a socket
 * takes a link-local address with its zone id, which a URL cannot carry, and it follows no redirect.
 */
function getJson(target: ReadinessTarget, path: string, timeoutMs: number): Promise<Answer> {
  return new Promise<Answer>((resolve) => {
    let request: ClientRequest;
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (answer: Answer): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      // The connection is closed whatever it was doing: a probe never leaves a socket behind.
      request?.destroy();
      resolve(answer);
    };
    try {
      // agent: false, one connection per GET and closed after it, rather than one kept alive in Node's global pool.
      request = httpGet({ host: target.host, port: target.port, path, agent: false, headers: { accept: 'application/json' } }, (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const status = response.statusCode ?? 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY_BYTES) finish({ status, body: null });
          else chunks.push(chunk);
        });
        response.on('end', () => finish({ status, body: parseJson(Buffer.concat(chunks).toString('utf8')) }));
        response.on('error', (error) => finish({ failed: connectionProblem(error) }));
      });
    } catch (error) {
      // A target no socket can take (a port out of range): said, not thrown.
      finish({ failed: oneLine(error instanceof Error ? error.message : String(error)) });
      return;
    }
    request.on('error', (error) => finish({ failed: connectionProblem(error) }));
    timer = setTimeout(() => finish({ failed: `no answer within ${timeoutMs} ms` }), timeoutMs);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** "not listening yet" for a refused connection (the child has not bound its port yet); the code and message else. */
function connectionProblem(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED') return 'not listening yet';
  return oneLine(code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message);
}

/** The pid a `/health/live` body names (libs/platform HealthController), if any. */
function livePid(body: unknown): number | undefined {
  const pid = (body as { info?: { process?: { pid?: unknown } } } | null)?.info?.process?.pid;
  return typeof pid === 'number' ? pid : undefined;
}

/**
 * Ready when the process on the port is the one spawned (`/health/live` names its pid: another stack left running
 * on these ports answers 200 too, until this child fails to bind and the stack stops) and its `/health/ready`
 * answers 200. Each GET is bounded by `timeoutMs`: a service that accepts the connection but never answers is not
 * ready.
 */
export async function probeService(target: ReadinessTarget, timeoutMs: number): Promise<ReadinessProbe> {
  if (target.pid === undefined) return { ready: false, why: 'not started' };
  const live = await getJson(target, '/health/live', timeoutMs);
  if ('failed' in live) return { ready: false, why: live.failed };
  const pid = livePid(live.body);
  if (pid !== target.pid) return { ready: false, why: `port ${target.port} is answered by another process (pid ${pid ?? 'unknown'}), not the one started (pid ${target.pid})` };
  const ready = await getJson(target, '/health/ready', timeoutMs);
  if ('failed' in ready) return { ready: false, why: ready.failed };
  return ready.status === 200 ? { ready: true, why: '' } : { ready: false, why: downChecks(ready.status, ready.body) };
}

/** "gateway (not listening yet); tracker (503: kafka (…))": the services not ready, for the line said once. */
export function waitingLine(probes: ReadonlyMap<string, ReadinessProbe>): string {
  return [...probes]
    .filter(([, probe]) => !probe.ready)
    .map(([name, probe]) => `${name} (${probe.why})`)
    .join('; ');
}

export interface ReadinessWatch {
  /** Stops probing (the stack is stopping); nothing more is said. */
  stop(): void;
  /** Settles once every service answered ready (true) or the watch was stopped first (false). */
  readonly settled: Promise<boolean>;
}

export interface ReadinessOptions {
  /** Service name → where it answers. At least one: a watch of nothing would say ready at once. */
  readonly targets: ReadonlyMap<string, ReadinessTarget>;
  readonly onReady: () => void;
  /** Said once, when the stack is still not ready after `patienceMs`: the services that wait, and on what. */
  readonly onSlow: (waiting: string) => void;
  /** How long before the slow line; the caller says it, so the caller's text and this wait are the same number. */
  readonly patienceMs: number;
  readonly intervalMs?: number;
  readonly probe?: (target: ReadinessTarget) => Promise<ReadinessProbe>;
}

/**
 * Probes every target each `intervalMs` until all answer ready together. A service already seen ready is probed
 * again in every round: one that fell over after answering (its broker went away) is not ready.
 */
export function watchReadiness(options: ReadinessOptions): ReadinessWatch {
  if (options.targets.size === 0) throw new Error('watchReadiness: no service to watch');
  const intervalMs = options.intervalMs ?? 250;
  const patienceMs = options.patienceMs;
  const probe = options.probe ?? ((target: ReadinessTarget) => probeService(target, 2_000));
  const startedAt = Date.now();
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let saidSlow = false;
  let settle: (ready: boolean) => void = () => undefined;
  const settled = new Promise<boolean>((resolve) => (settle = resolve));
  const round = async (): Promise<void> => {
    if (stopped) return;
    const results = await Promise.all(
      [...options.targets].map(async ([name, target]) => [name, await probe(target).catch((error: unknown): ReadinessProbe => ({ ready: false, why: oneLine(String(error)) }))] as const),
    );
    if (stopped) return;
    const probes = new Map(results);
    if ([...probes.values()].every((p) => p.ready)) {
      stopped = true;
      options.onReady();
      settle(true);
      return;
    }
    if (!saidSlow && Date.now() - startedAt >= patienceMs) {
      saidSlow = true;
      options.onSlow(waitingLine(probes));
    }
    timer = setTimeout(() => void round(), intervalMs);
    // The watch alone never keeps the process alive: the children's pipes do while the stack runs.
    timer.unref();
  };
  void round();
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      if (timer) clearTimeout(timer);
      settle(false);
    },
    settled,
  };
}

/**
 * The line said once the stack is ready. It gives the webhook URL only when a gateway was started (`--only` can leave
 * it out), at the address the gateway answers from this machine.
 */
export function readyLine(services: readonly string[], listenHost: string, gatewayPort: number): string {
  return services.includes('gateway')
    ? `hookbus is ready: every service answers /health/ready; send webhooks to ${localUrl(listenHost, gatewayPort)}/webhooks/{sourceId}`
    : `hookbus is ready: every service answers /health/ready (${services.join(', ')}; no gateway was started, so no webhook is taken)`;
}

/** What `npm start` watches: each service it started, where this machine reaches it, and the pid it was given. */
export function readinessTargets(
  services: readonly string[],
  listenHost: string,
  ports: Readonly<Record<string, number>>,
  pidOf: (service: string) => number | undefined,
): Map<string, ReadinessTarget> {
  return new Map(services.map((name) => [name, { host: localHost(listenHost), port: ports[name]!, pid: pidOf(name) }]));
}
