/**
 * When `npm start` says the stack is ready: once every service it ran answers 200 on `/health/ready`. Until then a
 * curl can meet a gateway that does not listen yet (connection refused, and `curl -s` prints nothing), so the start
 * names the moment. A stack still not ready after a while says which service waits on what (the down checks
 * `/health/ready` reports), once, and keeps waiting: a slow first build or a broker still electing leaders is no
 * failure, and a dependency that stays down shows in that line.
 */

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

/** One GET of `url`, bounded by `timeoutMs`: a service that accepts the connection but never answers is not ready. */
export async function probeReady(url: string, timeoutMs: number): Promise<ReadinessProbe> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (response.status === 200) {
      await response.body?.cancel();
      return { ready: true, why: '' };
    }
    const body: unknown = await response.json().catch(() => null);
    return { ready: false, why: downChecks(response.status, body) };
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code;
    if (code === 'ECONNREFUSED') return { ready: false, why: 'not listening yet' };
    // A DOMException, which is an Error in some realms only: told by its name.
    if ((error as { name?: unknown }).name === 'TimeoutError') return { ready: false, why: `no answer within ${timeoutMs} ms` };
    return { ready: false, why: oneLine(error instanceof Error ? error.message : String(error)) };
  }
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
  /** Service name → its `/health/ready` URL. */
  readonly targets: ReadonlyMap<string, string>;
  readonly onReady: () => void;
  /** Said once, when the stack is still not ready after `patienceMs`: the services that wait, and on what. */
  readonly onSlow: (waiting: string) => void;
  readonly intervalMs?: number;
  readonly patienceMs?: number;
  readonly probe?: (url: string) => Promise<ReadinessProbe>;
}

/**
 * Probes every target each `intervalMs` until all answer ready together. A service already seen ready is probed
 * again in every round: one that fell over after answering (its broker went away) is not ready.
 */
export function watchReadiness(options: ReadinessOptions): ReadinessWatch {
  const intervalMs = options.intervalMs ?? 250;
  const patienceMs = options.patienceMs ?? 60_000;
  const probe = options.probe ?? ((url: string) => probeReady(url, 2_000));
  const startedAt = Date.now();
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let saidSlow = false;
  let settle: (ready: boolean) => void = () => undefined;
  const settled = new Promise<boolean>((resolve) => (settle = resolve));
  const round = async (): Promise<void> => {
    const results = await Promise.all([...options.targets].map(async ([name, url]) => [name, await probe(url).catch((error: unknown) => ({ ready: false, why: String(error) }))] as const));
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
