import { Pool, errors as undiciErrors, type Dispatcher } from 'undici';
import { InvalidRecordError } from '@hookbus/contracts';
import { CredasAuthRejectedError, CredasRejectedError, CredasUnavailableError, parseRetryAfter } from './credas-api-errors';

export interface CredasApiClientOptions {
  /** e.g. https://portal.credasdemo.com/api/v2/ci/ — from CREDAS_API_BASE_URL only, never from a payload. */
  readonly baseUrl: string;
  readonly apiKey: string;
  /** Connections to Credas at most; further requests queue in the pool. */
  readonly concurrency: number;
  /** Until the response headers arrive (undici headersTimeout) and between body chunks (bodyTimeout). */
  readonly headersTimeoutMs: number;
  readonly bodyTimeoutMs: number;
  readonly connectTimeoutMs: number;
  /**
   * Body of POST pdf-export; null sends none (the flags some clients send are unverified,
   * docs/providers/credas.md#pdf-export).
   */
  readonly pdfExportBody: Readonly<Record<string, boolean>> | null;
  /** Largest response body read (the PDF): more is refused, so one report cannot exhaust memory. */
  readonly maxBodyBytes: number;
}

export interface CredasPdf {
  readonly bytes: Buffer;
  readonly contentType: string;
}

/** Credas ids are GUIDs; anything else is refused before it reaches a URL. */
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/;

/**
 * The Credas CI API v2 result endpoints over one keep-alive undici Pool. The pool is bound to the configured
 * origin: ids from payloads only ever fill a path segment (validated and encoded), so no payload can move the host.
 */
export class CredasApiClient {
  private readonly pool: Pool;
  private readonly basePath: string;

  constructor(private readonly options: CredasApiClientOptions) {
    const url = new URL(options.baseUrl);
    this.basePath = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
    this.pool = new Pool(url.origin, {
      connections: options.concurrency,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 120_000,
      headersTimeout: options.headersTimeoutMs,
      bodyTimeout: options.bodyTimeoutMs,
      connect: { timeout: options.connectTimeoutMs },
    });
  }

  /** GET processes/{processId}/details — shape undocumented, returned as parsed JSON. */
  async processDetails(processId: string, signal?: AbortSignal): Promise<unknown> {
    const endpoint = 'GET processes/{processId}/details';
    const body = await this.call(endpoint, 'GET', `processes/${segment(processId)}/details`, signal);
    return parseJson(endpoint, body.bytes);
  }

  /** GET entities/{entityId}/active-checks — an array (article 44002510091). */
  async activeChecks(entityId: string, signal?: AbortSignal): Promise<unknown[]> {
    const endpoint = 'GET entities/{entityId}/active-checks';
    const body = await this.call(endpoint, 'GET', `entities/${segment(entityId)}/active-checks`, signal);
    const parsed = parseJson(endpoint, body.bytes);
    if (!Array.isArray(parsed)) throw new CredasUnavailableError('credas.unexpected_body', `Credas ${endpoint} did not answer an array`);
    return parsed;
  }

  /** POST entities/{entityId}/{processId}/pdf-export → application/pdf. */
  async pdfExport(entityId: string, processId: string, signal?: AbortSignal): Promise<CredasPdf> {
    const endpoint = 'POST entities/{entityId}/{processId}/pdf-export';
    const body = await this.call(endpoint, 'POST', `entities/${segment(entityId)}/${segment(processId)}/pdf-export`, signal, this.options.pdfExportBody);
    // Credas documents application/pdf; a body that is not a PDF (an HTML error page behind a 200) is a transient
    // fault of theirs, not a report.
    if (body.bytes.subarray(0, 5).toString('latin1') !== '%PDF-') {
      throw new CredasUnavailableError('credas.report_not_pdf', `Credas ${endpoint} answered ${body.contentType || 'no content type'} without a PDF signature`);
    }
    return { bytes: body.bytes, contentType: 'application/pdf' };
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  private async call(endpoint: string, method: 'GET' | 'POST', relativePath: string, signal?: AbortSignal, json?: unknown): Promise<{ bytes: Buffer; contentType: string }> {
    let response: Dispatcher.ResponseData;
    try {
      response = await this.pool.request({
        method,
        path: this.basePath + relativePath,
        headers: {
          'x-api-key': this.options.apiKey,
          accept: method === 'POST' ? 'application/pdf' : 'application/json',
          ...(json != null ? { 'content-type': 'application/json' } : {}),
        },
        body: json != null ? JSON.stringify(json) : undefined,
        signal,
      });
    } catch (error) {
      throw transportError(endpoint, error);
    }
    const { statusCode, headers } = response;
    if (statusCode < 200 || statusCode >= 300) {
      await response.body.dump().catch(() => undefined);
      throw statusError(endpoint, statusCode, headers['retry-after']);
    }
    try {
      const bytes = await readLimited(response.body, this.options.maxBodyBytes, endpoint);
      const contentType = String(headers['content-type'] ?? '');
      return { bytes, contentType };
    } catch (error) {
      if (error instanceof CredasRejectedError) throw error;
      throw transportError(endpoint, error);
    }
  }
}

function segment(id: string): string {
  if (!ID_PATTERN.test(id)) throw new InvalidRecordError('credas.invalid_id', 'a Credas id is not a GUID-like value');
  return encodeURIComponent(id);
}

function statusError(endpoint: string, status: number, retryAfter: string | string[] | undefined): Error {
  if (status === 403) return new CredasAuthRejectedError(endpoint);
  const after = parseRetryAfter(retryAfter, Date.now());
  if (status === 429) return new CredasUnavailableError('credas.rate_limited', `Credas ${endpoint} answered 429`, after);
  if (status >= 500 || status === 408) return new CredasUnavailableError(`credas.http_${status}`, `Credas ${endpoint} answered ${status}`, after);
  if (status === 404) return new CredasRejectedError('credas.not_found', `Credas ${endpoint} answered 404: no such process or entity`);
  return new CredasRejectedError(`credas.http_${status}`, `Credas ${endpoint} answered ${status}`);
}

function transportError(endpoint: string, error: unknown): Error {
  if (error instanceof Error && error.name === 'AbortError') return error;
  if (error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError || error instanceof undiciErrors.ConnectTimeoutError) {
    return new CredasUnavailableError('credas.timeout', `Credas ${endpoint} timed out (${error.name})`, null, { cause: error });
  }
  const code = (error as { code?: string })?.code;
  return new CredasUnavailableError('credas.unreachable', `Credas ${endpoint} failed: ${code ?? (error instanceof Error ? error.name : 'error')}`, null, { cause: error });
}

async function readLimited(body: Dispatcher.ResponseData['body'], limit: number, endpoint: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += (chunk as Buffer).length;
    if (total > limit) {
      body.destroy();
      throw new CredasRejectedError('credas.body_too_large', `Credas ${endpoint} answered more than ${limit} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function parseJson(endpoint: string, bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new CredasUnavailableError('credas.unexpected_body', `Credas ${endpoint} answered a body that is not JSON`);
  }
}
