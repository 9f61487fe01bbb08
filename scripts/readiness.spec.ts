/**
 * `npm start`'s "hookbus is ready" line (scripts/readiness.ts): said once every service answers `/health/ready`
 * together, never before; a stack slow to get there says once which service waits on what.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { downChecks, probeService, readinessTargets, readyLine, waitingLine, watchReadiness, type ReadinessProbe, type ReadinessTarget } from './readiness';

describe('downChecks: what a terminus /health/ready body says is down', () => {
  it.each([
    ['one check down, with its message', 503, { status: 'error', error: { kafka: { status: 'down', message: 'broker unreachable' } } }, '503: kafka (broker unreachable)'],
    ['two checks down, one without a message', 503, { error: { kafka: { status: 'down', message: 'x' }, database: { status: 'down' } } }, '503: kafka (x), database'],
    ['a multi-line message, on one line', 503, { error: { db: { message: 'connect\n  ECONNREFUSED' } } }, '503: db (connect ECONNREFUSED)'],
    ['a body that is no terminus body', 502, 'Bad Gateway', '502'],
    ['no body', 500, null, '500'],
  ])('%s', (_, status, body, expected) => {
    expect(downChecks(status, body)).toBe(expected);
  });

  it('cuts a long message short', () => {
    const line = downChecks(503, { error: { kafka: { message: 'x'.repeat(500) } } });
    expect(line.length).toBeLessThan(140);
    expect(line.endsWith('…)')).toBe(true);
  });
});

describe('waitingLine', () => {
  it('names only the services not ready, each with why', () => {
    const probes = new Map<string, ReadinessProbe>([
      ['gateway', { ready: true, why: '' }],
      ['tracker', { ready: false, why: 'not listening yet' }],
      ['projector', { ready: false, why: '503: database (down)' }],
    ]);
    expect(waitingLine(probes)).toBe('tracker (not listening yet); projector (503: database (down))');
  });
});

describe('probeService against a real http server', () => {
  /** How the server answers /health/ready; /health/live always names `livePid`. */
  let answer: (request: IncomingMessage, response: ServerResponse) => void;
  const livePid = 4242;
  const servers: Server[] = [];
  let target: ReadinessTarget;

  async function serve(host: string): Promise<number> {
    const server = createServer((request, response) => {
      if (request.url === '/health/live') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ status: 'ok', info: { process: { status: 'up', service: 'gateway', pid: livePid } } }));
        return;
      }
      if (request.url === '/elsewhere') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"status":"ok"}');
        return;
      }
      answer(request, response);
    });
    servers.push(server);
    // An address this machine lacks fails here at once, rather than leaving the test waiting.
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, host, resolve));
    return (server.address() as AddressInfo).port;
  }
  const json = (status: number, body: unknown) => (_request: IncomingMessage, response: ServerResponse) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };

  beforeAll(async () => {
    target = { host: '127.0.0.1', port: await serve('127.0.0.1'), pid: livePid };
  });
  afterAll(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('200 from the process started is ready', async () => {
    answer = json(200, { status: 'ok' });
    expect(await probeService(target, 2_000)).toEqual({ ready: true, why: '' });
  });

  it('503 is not, with the checks that are down', async () => {
    answer = json(503, { status: 'error', error: { kafka: { status: 'down', message: 'no leader' } } });
    expect(await probeService(target, 2_000)).toEqual({ ready: false, why: '503: kafka (no leader)' });
  });

  it('a 200 from another process on the port (a stack left running) is not ready', async () => {
    answer = json(200, { status: 'ok' });
    expect(await probeService({ ...target, pid: 999_999 }, 2_000)).toEqual({
      ready: false,
      why: `port ${target.port} is answered by another process (pid ${livePid}), not the one started (pid 999999)`,
    });
  });

  it('a /health/live that names no pid is not the process started', async () => {
    const stranger = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"status":"ok"}');
    });
    servers.push(stranger);
    await new Promise<void>((resolve) => stranger.listen(0, '127.0.0.1', resolve));
    const port = (stranger.address() as AddressInfo).port;
    expect(await probeService({ host: '127.0.0.1', port, pid: livePid }, 2_000)).toEqual({
      ready: false,
      why: `port ${port} is answered by another process (pid unknown), not the one started (pid ${livePid})`,
    });
  });

  it('a service that was not spawned (no pid) is never ready, whatever answers on its port', async () => {
    answer = json(200, { status: 'ok' });
    expect(await probeService({ ...target, pid: undefined }, 2_000)).toEqual({ ready: false, why: 'not started' });
  });

  it('a port no socket takes is said, not thrown', async () => {
    expect(await probeService({ host: '127.0.0.1', port: 70_000, pid: 1 }, 50)).toEqual({ ready: false, why: expect.stringMatching(/port.*70000/i) });
  });

  it('a redirect is not followed: only the service\'s own 200 counts', async () => {
    answer = (_request, response) => {
      response.writeHead(302, { location: '/elsewhere' });
      response.end();
    };
    expect(await probeService(target, 2_000)).toEqual({ ready: false, why: '302' });
  });

  it('a huge error body is not read to its end: the status is enough, and the connection is closed', async () => {
    const whole = 256 * 1024 * 1024;
    let sent = 0;
    let closed!: Promise<void>;
    answer = (_request, response) => {
      closed = new Promise((resolve) => response.once('close', resolve));
      response.writeHead(503, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const more = (): void => {
        while (sent < whole && response.write(chunk)) sent += chunk.length;
        if (sent >= whole) response.end();
      };
      response.on('drain', more);
      more();
    };
    expect(await probeService(target, 60_000)).toEqual({ ready: false, why: '503' });
    await closed;
    // What the server wrote before the probe hung up fits in the sockets' buffers: a few MiB on loopback, not the
    // 256 MiB a probe that read the whole body would have taken in.
    expect(sent).toBeLessThan(16 * 1024 * 1024);
  }, 20_000);

  it('headers and then nothing: not ready within the bound, and the connection is closed', async () => {
    let closed!: Promise<void>;
    answer = (_request, response) => {
      closed = new Promise((resolve) => response.once('close', resolve));
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{');
    };
    expect(await probeService(target, 200)).toEqual({ ready: false, why: 'no answer within 200 ms' });
    // A probe that left its socket open would hold this past the test's 10 s.
    await closed;
  }, 10_000);

  it('a server that never answers is not ready, within the bound', async () => {
    answer = () => undefined;
    expect(await probeService(target, 200)).toEqual({ ready: false, why: 'no answer within 200 ms' });
  });

  it('a connection dropped mid-request says its code', async () => {
    answer = (request) => request.socket.destroy();
    expect((await probeService(target, 2_000)).why).toMatch(/^ECONNRESET: /);
  });

  it('a port nobody listens on is "not listening yet"', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(await probeService({ host: '127.0.0.1', port, pid: 1 }, 2_000)).toEqual({ ready: false, why: 'not listening yet' });
  });

  it('an IPv6 address, as libs/platform localHost gives it (no brackets)', async () => {
    answer = json(200, { status: 'ok' });
    expect(await probeService({ host: '::1', port: await serve('::1'), pid: livePid }, 2_000)).toEqual({ ready: true, why: '' });
  });
});

describe('watchReadiness', () => {
  const at = (port: number): ReadinessTarget => ({ host: '127.0.0.1', port, pid: undefined });

  /** Probes that answer from a script: each port's answers in order, the last one repeated; every call logged. */
  function scripted(answers: Record<number, boolean[]>, calls: number[] = []) {
    const seen: Record<number, number> = {};
    return async ({ port }: ReadinessTarget): Promise<ReadinessProbe> => {
      calls.push(port);
      const list = answers[port]!;
      const index = Math.min(seen[port] ?? 0, list.length - 1);
      seen[port] = (seen[port] ?? 0) + 1;
      return list[index] ? { ready: true, why: '' } : { ready: false, why: 'not listening yet' };
    };
  }

  it('says ready once, only in a round where every service answers ready', async () => {
    const said: string[] = [];
    const calls: number[] = [];
    // 1 is ready at once, falls over in round 3, is back in round 4; 2 gets ready in round 3. Each of rounds 1–3 has
    // one service not ready, though by round 3 both have answered ready once: only round 4 (probe calls 7 and 8) is.
    const watch = watchReadiness({
      targets: new Map([['a', at(1)], ['b', at(2)]]),
      probe: scripted({ 1: [true, true, false, true], 2: [false, false, true] }, calls),
      intervalMs: 1,
      patienceMs: 60_000,
      onReady: () => said.push(`ready after ${calls.length} probes`),
      onSlow: (w) => said.push(`slow ${w}`),
    });
    expect(await watch.settled).toBe(true);
    expect(said).toEqual(['ready after 8 probes']);
    expect(calls).toHaveLength(8);
  });

  it('says once which service waits, when the stack is slow, and keeps waiting', async () => {
    const said: string[] = [];
    const watch = watchReadiness({
      targets: new Map([['gateway', at(1)], ['tracker', at(2)]]),
      probe: scripted({ 1: [true], 2: [false, false, false, false, false, true] }),
      intervalMs: 5,
      patienceMs: 0,
      onReady: () => said.push('ready'),
      onSlow: (w) => said.push(`slow ${w}`),
    });
    expect(await watch.settled).toBe(true);
    expect(said).toEqual(['slow tracker (not listening yet)', 'ready']);
  });

  it('says nothing once stopped (the stack is stopping)', async () => {
    const said: string[] = [];
    const watch = watchReadiness({
      targets: new Map([['a', at(1)]]),
      probe: scripted({ 1: [false] }),
      intervalMs: 5,
      patienceMs: 60_000,
      onReady: () => said.push('ready'),
      onSlow: () => said.push('slow'),
    });
    watch.stop();
    expect(await watch.settled).toBe(false);
    expect(said).toEqual([]);
  });

  describe('stopped while a probe is in flight', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it.each([
      ['the probe then answers ready', true],
      ['the probe then answers not ready, past the patience', false],
    ])('%s: nothing is said and nothing probed again', async (_, answersReady) => {
      const said: string[] = [];
      let calls = 0;
      let answer: (probe: ReadinessProbe) => void = () => undefined;
      const watch = watchReadiness({
        targets: new Map([['a', at(1)]]),
        probe: () => {
          calls += 1;
          return new Promise<ReadinessProbe>((resolve) => (answer = resolve));
        },
        intervalMs: 5,
        patienceMs: 0,
        onReady: () => said.push('ready'),
        onSlow: () => said.push('slow'),
      });
      expect(calls).toBe(1);
      watch.stop();
      answer({ ready: answersReady, why: answersReady ? '' : 'not listening yet' });
      // Runs the answer's continuation and every round that could follow it.
      await jest.advanceTimersByTimeAsync(1_000);
      expect(await watch.settled).toBe(false);
      expect(said).toEqual([]);
      expect(calls).toBe(1);
    });
  });

  it('stopped between rounds: nothing probed again', async () => {
    jest.useFakeTimers();
    try {
      const calls: number[] = [];
      const watch = watchReadiness({ targets: new Map([['a', at(1)]]), probe: scripted({ 1: [false] }, calls), intervalMs: 5, patienceMs: 60_000, onReady: () => undefined, onSlow: () => undefined });
      // The first round ends and the second is due in 5 ms.
      await jest.advanceTimersByTimeAsync(1);
      expect(calls).toHaveLength(1);
      watch.stop();
      await jest.advanceTimersByTimeAsync(1_000);
      expect(calls).toHaveLength(1);
      expect(await watch.settled).toBe(false);
    } finally {
      jest.useRealTimers();
    }
  });

  it('a probe that throws counts as not ready, on one line, not as a crash', async () => {
    let calls = 0;
    const said: string[] = [];
    const watch = watchReadiness({
      targets: new Map([['a', at(1)]]),
      probe: async () => {
        calls += 1;
        if (calls === 1) throw new Error('boom\n    at somewhere');
        return { ready: true, why: '' };
      },
      intervalMs: 1,
      patienceMs: 0,
      onReady: () => said.push('ready'),
      onSlow: (w) => said.push(`slow ${w}`),
    });
    expect(await watch.settled).toBe(true);
    expect(said).toEqual(['slow a (Error: boom at somewhere)', 'ready']);
  });

  it('refuses to watch nothing: no service is not a ready stack', () => {
    expect(() => watchReadiness({ targets: new Map(), patienceMs: 0, onReady: () => undefined, onSlow: () => undefined })).toThrow(/no service to watch/);
  });
});

describe('readyLine', () => {
  it.each([
    ['every service, on loopback', ['gateway', 'tracker'], '127.0.0.1', 'hookbus is ready: every service answers /health/ready; send webhooks to http://127.0.0.1:3000/webhooks/{sourceId}'],
    ['bound everywhere: reached on loopback', ['gateway'], '0.0.0.0', 'hookbus is ready: every service answers /health/ready; send webhooks to http://127.0.0.1:3000/webhooks/{sourceId}'],
    ['bound to one address: that address', ['gateway'], '10.1.2.3', 'hookbus is ready: every service answers /health/ready; send webhooks to http://10.1.2.3:3000/webhooks/{sourceId}'],
    ['bound to one IPv6 address', ['gateway'], '::1', 'hookbus is ready: every service answers /health/ready; send webhooks to http://[::1]:3000/webhooks/{sourceId}'],
    ['no gateway started (--only)', ['normalizer', 'tracker'], '127.0.0.1', 'hookbus is ready: every service answers /health/ready (normalizer, tracker; no gateway was started, so no webhook is taken)'],
  ])('%s', (_, services, listenHost, line) => {
    expect(readyLine(services, listenHost, 3000)).toBe(line);
  });
});

describe('readinessTargets', () => {
  it('every service started, where this machine reaches it, with its pid', () => {
    const pids: Record<string, number> = { gateway: 11, tracker: 12 };
    expect(readinessTargets(['gateway', 'tracker', 'console'], '0.0.0.0', { gateway: 3000, tracker: 3002, console: 3006 }, (name) => pids[name])).toEqual(
      new Map([
        ['gateway', { host: '127.0.0.1', port: 3000, pid: 11 }],
        ['tracker', { host: '127.0.0.1', port: 3002, pid: 12 }],
        ['console', { host: '127.0.0.1', port: 3006, pid: undefined }],
      ]),
    );
    expect(readinessTargets(['gateway'], 'fe80::1%eth0', { gateway: 3000 }, () => 5).get('gateway')).toEqual({ host: 'fe80::1%eth0', port: 3000, pid: 5 });
  });
});
