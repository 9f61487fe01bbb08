/**
 * `npm start`'s "hookbus is ready" line (scripts/readiness.ts): said once every service answers `/health/ready`
 * together, never before; a stack slow to get there says once which service waits on what.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { downChecks, probeReady, waitingLine, watchReadiness, type ReadinessProbe } from './readiness';

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

describe('probeReady against a real http server', () => {
  let server: Server;
  let status = 200;
  let hang = false;
  let base = '';
  beforeAll(async () => {
    server = createServer((_request, response) => {
      if (hang) return;
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(status === 200 ? { status: 'ok' } : { status: 'error', error: { kafka: { status: 'down', message: 'no leader' } } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('200 is ready', async () => {
    status = 200;
    expect(await probeReady(`${base}/health/ready`, 2_000)).toEqual({ ready: true, why: '' });
  });

  it('503 is not, with the checks that are down', async () => {
    status = 503;
    expect(await probeReady(`${base}/health/ready`, 2_000)).toEqual({ ready: false, why: '503: kafka (no leader)' });
  });

  it('a server that never answers is not ready, within the bound', async () => {
    hang = true;
    try {
      expect(await probeReady(`${base}/health/ready`, 200)).toEqual({ ready: false, why: 'no answer within 200 ms' });
    } finally {
      hang = false;
    }
  });

  it('a port nobody listens on is "not listening yet"', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(await probeReady(`http://127.0.0.1:${port}/health/ready`, 2_000)).toEqual({ ready: false, why: 'not listening yet' });
  });
});

describe('watchReadiness', () => {
  /** Probes that answer from a script: each target's answers in order, the last one repeated. */
  function scripted(answers: Record<string, boolean[]>) {
    const seen: Record<string, number> = {};
    return async (url: string): Promise<ReadinessProbe> => {
      const list = answers[url]!;
      const index = Math.min(seen[url] ?? 0, list.length - 1);
      seen[url] = (seen[url] ?? 0) + 1;
      return list[index] ? { ready: true, why: '' } : { ready: false, why: 'not listening yet' };
    };
  }

  it('says ready once, only in a round where every service answers ready', async () => {
    const said: string[] = [];
    // a is ready at once then falls over once; b gets ready on its third probe: rounds 1–3 have one not ready.
    const watch = watchReadiness({
      targets: new Map([['a', 'a'], ['b', 'b']]),
      probe: scripted({ a: [true, true, false, true], b: [false, false, true] }),
      intervalMs: 1,
      onReady: () => said.push('ready'),
      onSlow: (w) => said.push(`slow ${w}`),
    });
    expect(await watch.settled).toBe(true);
    expect(said).toEqual(['ready']);
  });

  it('says once which service waits, when the stack is slow, and keeps waiting', async () => {
    const said: string[] = [];
    const watch = watchReadiness({
      targets: new Map([['gateway', 'g'], ['tracker', 't']]),
      probe: scripted({ g: [true], t: [false, false, false, false, false, true] }),
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
      targets: new Map([['a', 'a']]),
      probe: scripted({ a: [false] }),
      intervalMs: 5,
      onReady: () => said.push('ready'),
      onSlow: () => said.push('slow'),
    });
    watch.stop();
    expect(await watch.settled).toBe(false);
    expect(said).toEqual([]);
  });

  it('a probe that throws counts as not ready, not as a crash', async () => {
    let calls = 0;
    const said: string[] = [];
    const watch = watchReadiness({
      targets: new Map([['a', 'a']]),
      probe: async () => {
        calls += 1;
        if (calls === 1) throw new Error('boom');
        return { ready: true, why: '' };
      },
      intervalMs: 1,
      patienceMs: 0,
      onReady: () => said.push('ready'),
      onSlow: (w) => said.push(`slow ${w}`),
    });
    expect(await watch.settled).toBe(true);
    expect(said).toEqual(['slow a (Error: boom)', 'ready']);
  });
});
