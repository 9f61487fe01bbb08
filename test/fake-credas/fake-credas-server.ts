import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildReportPdf } from './report-pdf';

/**
 * A fake of the Credas CI API v2 (docs/providers/credas.md#result-api): the three result endpoints with the documented
 * shapes, the X-API-KEY check (403), a real PDF, injectable faults and a request log for assertions.
 */
export type FakeEndpoint = 'details' | 'active-checks' | 'pdf-export';

export interface FakeActiveCheck {
  readonly entityId: string;
  readonly type: number;
  readonly name: string;
  readonly status: number;
  readonly lastCheckedDate: string | null;
  readonly requestedDate: string;
  readonly idvEntryId: string | null;
  readonly isOnGoingMonitoring: boolean;
  readonly isManuallyChecked: boolean;
  readonly submittedBy: string | null;
  readonly requestedBy: string;
  readonly canReview: boolean;
}

export interface FakeProcess {
  readonly processId: string;
  readonly clientId: string;
  readonly entityId: string;
  /** Where details carries the entity: `processActors[].entityId` (default), `entity.id`, or nowhere. */
  readonly detailsShape: 'processActors' | 'entity' | 'none';
  activeChecks: FakeActiveCheck[];
  readonly pdf: Buffer;
  readonly pdfSha256: string;
}

export interface FakeFault {
  /** Which endpoint; all when absent. */
  readonly endpoint?: FakeEndpoint;
  /** Only requests whose path names this process or entity id. */
  readonly match?: string;
  /** Answer with this status (403, 404, 429, 500, ...); absent: answer normally after the delay. */
  readonly status?: number;
  readonly retryAfterSeconds?: number;
  readonly delayMs?: number;
  /** How many requests it applies to; unlimited when absent. */
  readonly times?: number;
}

export interface FakeRequest {
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly endpoint: FakeEndpoint | null;
  /** The process id (details, pdf-export) or entity id (active-checks) in the path. */
  readonly processId: string | null;
  readonly entityId: string | null;
  readonly keyAccepted: boolean;
  status: number;
}

export interface FakeCredas {
  /** Base URL to give the orchestrator as CREDAS_API_BASE_URL (ends with /api/v2/ci/). */
  readonly url: string;
  readonly faults: {
    add(fault: FakeFault): void;
    clear(): void;
  };
  readonly requests: FakeRequest[];
  addProcess(options?: Partial<Pick<FakeProcess, 'processId' | 'entityId' | 'detailsShape' | 'activeChecks'>>): FakeProcess;
  process(processId: string): FakeProcess | undefined;
  close(): Promise<void>;
}

export interface FakeCredasOptions {
  readonly port?: number;
  readonly apiKey: string;
  /** Answer for any process or entity id with generated data (npm start / demo); tests register processes. */
  readonly autoCreate?: boolean;
}

const PREFIX = '/api/v2/ci/';
const ROUTES: ReadonlyArray<{ endpoint: FakeEndpoint; method: string; pattern: RegExp }> = [
  { endpoint: 'details', method: 'GET', pattern: /^processes\/([^/]+)\/details$/ },
  { endpoint: 'active-checks', method: 'GET', pattern: /^entities\/([^/]+)\/active-checks$/ },
  { endpoint: 'pdf-export', method: 'POST', pattern: /^entities\/([^/]+)\/([^/]+)\/pdf-export$/ },
];

export async function startFakeCredas(options: FakeCredasOptions): Promise<FakeCredas> {
  const processes = new Map<string, FakeProcess>();
  const faults: Array<FakeFault & { remaining: number }> = [];
  const requests: FakeRequest[] = [];
  const pending = new Set<NodeJS.Timeout>();

  const addProcess: FakeCredas['addProcess'] = (init = {}) => {
    const processId = init.processId ?? randomUUID();
    const entityId = init.entityId ?? randomUUID();
    const pdf = buildReportPdf([
      'Credas identity verification report',
      `Process ${processId}`,
      `Entity ${entityId}`,
      'Right to Work: Pass',
      'Name check: Pass',
    ]);
    const created: FakeProcess = {
      processId,
      clientId: '8c55ebc3-7ac2-469e-9837-94023aa82c3d',
      entityId,
      detailsShape: init.detailsShape ?? 'processActors',
      activeChecks: init.activeChecks ?? defaultChecks(entityId),
      pdf,
      pdfSha256: createHash('sha256').update(pdf).digest('hex'),
    };
    processes.set(processId, created);
    return created;
  };

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, { message: 'fake failed' });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0]!;
    const route = matchRoute(req.method ?? 'GET', path);
    const keyAccepted = req.headers['x-api-key'] === options.apiKey;
    const entry: FakeRequest = {
      at: Date.now(),
      method: req.method ?? 'GET',
      path,
      endpoint: route?.endpoint ?? null,
      processId: route?.processId ?? null,
      entityId: route?.entityId ?? null,
      keyAccepted,
      status: 0,
    };
    requests.push(entry);
    await drain(req);
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      entry.status = status;
      send(res, status, body, headers);
    };
    // Credas answers 403 to a missing or invalid key (article 44002475314), before anything else.
    if (!keyAccepted) return reply(403, { message: 'Invalid API key' });
    if (!route) return reply(404, { message: 'Not found' });
    const fault = takeFault(route.endpoint, path);
    if (fault?.delayMs) await delay(fault.delayMs);
    if (res.destroyed) return;
    if (fault?.status) {
      const headers: Record<string, string> = fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {};
      return reply(fault.status, { message: `injected ${fault.status}` }, headers);
    }
    const found = route.processId ? lookupProcess(route.processId) : null;
    switch (route.endpoint) {
      case 'details':
        return found ? reply(200, detailsOf(found)) : reply(404, { message: 'Process not found' });
      case 'active-checks': {
        const checks = checksOf(route.entityId!);
        return checks ? reply(200, checks) : reply(404, { message: 'Entity not found' });
      }
      case 'pdf-export': {
        if (!found || (found.entityId !== route.entityId && !options.autoCreate)) return reply(404, { message: 'Process not found for entity' });
        entry.status = 200;
        res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': String(found.pdf.length) });
        res.end(found.pdf);
        return;
      }
    }
  }

  function lookupProcess(processId: string): FakeProcess | null {
    const known = processes.get(processId);
    if (known) return known;
    return options.autoCreate ? addProcess({ processId, entityId: derivedEntityId(processId) }) : null;
  }

  function checksOf(entityId: string): FakeActiveCheck[] | null {
    const owners = [...processes.values()].filter((p) => p.entityId === entityId);
    if (owners.length > 0) return owners.flatMap((p) => p.activeChecks);
    return options.autoCreate ? defaultChecks(entityId) : null;
  }

  function takeFault(endpoint: FakeEndpoint, path: string): FakeFault | null {
    const fault = faults.find((f) => f.remaining > 0 && (!f.endpoint || f.endpoint === endpoint) && (!f.match || path.includes(f.match)));
    if (!fault) return null;
    fault.remaining -= 1;
    return fault;
  }

  function delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        pending.delete(timer);
        resolve();
      }, ms);
      pending.add(timer);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${PREFIX}`,
    faults: {
      add: (fault) => faults.push({ ...fault, remaining: fault.times ?? Number.POSITIVE_INFINITY }),
      clear: () => faults.splice(0),
    },
    requests,
    addProcess,
    process: (processId) => processes.get(processId),
    close: async () => {
      for (const timer of pending) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function matchRoute(method: string, path: string): { endpoint: FakeEndpoint; processId: string | null; entityId: string | null } | null {
  if (!path.startsWith(PREFIX)) return null;
  const rest = path.slice(PREFIX.length);
  for (const route of ROUTES) {
    const m = route.pattern.exec(rest);
    if (!m || route.method !== method) continue;
    const ids = m.slice(1).map((s) => decodeURIComponent(s));
    if (route.endpoint === 'details') return { endpoint: route.endpoint, processId: ids[0]!, entityId: null };
    if (route.endpoint === 'active-checks') return { endpoint: route.endpoint, processId: null, entityId: ids[0]! };
    return { endpoint: route.endpoint, entityId: ids[0]!, processId: ids[1]! };
  }
  return null;
}

/** The details shape is undocumented; this mirrors the create-process response (`id`, `processActors[]`). */
function detailsOf(p: FakeProcess): Record<string, unknown> {
  const base = {
    id: p.processId,
    clientId: p.clientId,
    reference: 'hookbus-fake',
    journeyName: 'Right to Work (IDVT)',
    status: 2,
    statusDescription: 'The process is complete',
    createdDate: '2025-01-20T09:12:44Z',
    completedDate: '2025-01-21T14:03:10Z',
  };
  if (p.detailsShape === 'none') return { ...base, processActors: [] };
  if (p.detailsShape === 'entity') return { ...base, entity: { id: p.entityId, status: 2 } };
  return {
    ...base,
    processActors: [
      { id: 11014, entityId: p.entityId, actorType: 1, firstName: 'Alex', lastName: 'Example', email: 'alex.example@example.com', status: 2 },
    ],
  };
}

function defaultChecks(entityId: string): FakeActiveCheck[] {
  const common = { entityId, requestedDate: '2025-01-20T09:12:44Z', idvEntryId: null, isOnGoingMonitoring: false, isManuallyChecked: false, submittedBy: null, requestedBy: 'ops@hookbus.example', canReview: false };
  return [
    { ...common, type: 11, name: 'Right to Work', status: 1, lastCheckedDate: '2025-01-21T14:02:58Z', idvEntryId: '5f2d9a51-6a0a-4a3c-9ab7-0c5c8f7c2b11' },
    { ...common, type: 4, name: 'Name check', status: 6, lastCheckedDate: '2025-01-21T14:03:01Z', isOnGoingMonitoring: true },
    { ...common, type: 6, name: 'Datacheck', status: 9, lastCheckedDate: null },
  ];
}

/** A stable entity for an auto-created process, so repeated calls agree. */
function derivedEntityId(processId: string): string {
  const hex = createHash('sha256').update(`entity:${processId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(json)), ...headers });
  res.end(json);
}

async function drain(req: IncomingMessage): Promise<void> {
  for await (const _chunk of req) {
    // The pdf-export options body is accepted and ignored, as an unverified part of the API
    // (docs/providers/credas.md#pdf-export).
  }
}
