import { performance } from 'node:perf_hooks';
import type { IncomingMessage } from 'node:http';
import type { BlockList } from 'node:net';
import type { Readable } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { SourceConfig } from '@hookbus/config';
import { UNKNOWN_SOURCE_LABEL, type GatewayMetrics } from '../gateway-metrics';
import { clientAddress } from '@hookbus/platform';
import { UNAVAILABLE_RETRY_AFTER_SECONDS, type Admitted, type WebhookIngress } from '../ingress/webhook-ingress';
import { refusal, type GatewayReply } from '../replies/gateway-reply';
import type { BodyBudget, BodyReservation } from './body-budget';

export interface WebhookHttpLimits {
  /** Requests with more header fields than this are refused with 431 (Node keeps at most this many + 1). */
  readonly maxHeaderCount: number;
  /**
   * After a body passes its source's limit, up to this many further bytes are read and discarded so the client
   * can read our 413; beyond that the connection is closed.
   */
  readonly maxDiscardBytes: number;
}

export const DEFAULT_HTTP_LIMITS: WebhookHttpLimits = { maxHeaderCount: 100, maxDiscardBytes: 32 * 1024 * 1024 };

/** Process-wide state of the routes: the body bytes in flight and who may speak for a client (X-Forwarded-For). */
export interface WebhookRouteGuards {
  readonly bodyBudget: BodyBudget;
  readonly trustedProxies: BlockList;
}

/** What onRequest learned about a request, kept for the body parser and the handler. */
interface RequestState {
  readonly admitted: Admitted;
  readonly source: SourceConfig;
  readonly receivedAtMs: number;
  readonly startedAt: number;
  readonly reservation: BodyReservation;
}

/** The body could not be read within the process's body budget (gateway.maxBodyBytesInFlight). */
class BodyBudgetExceeded extends Error {
  readonly statusCode = 503;
}

const BUSY_DETAIL = 'the gateway is receiving too many request bodies right now and did not accept the webhook; retry later';
const BUSY_RETRY_AFTER_SECONDS = 1;

interface ReceivedBody {
  readonly body: Buffer;
  readonly oversize: boolean;
}

type Params = { sourceId: string; status?: string };

const EMPTY = Buffer.alloc(0);
const CLOSING_DETAIL = 'this gateway instance is shutting down and did not accept the webhook; retry';
// Every method reaches the handler so an unsupported one is answered 405 (with Allow), not 404.
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

function send(reply: FastifyReply, answer: GatewayReply): FastifyReply {
  return reply.code(answer.status).headers(answer.headers).send(answer.body);
}

/**
 * Reads the body as bytes, exactly as sent, up to the source's `maxBodyBytes`. Past the limit the first
 * `maxBodyBytes` bytes are kept (for the quarantine record) and the rest is discarded.
 */
function readBody(payload: Readable, limit: number, maxDiscardBytes: number, reservation: BodyReservation, done: (error: Error | null, body?: ReceivedBody) => void): void {
  const chunks: Buffer[] = [];
  let kept = 0;
  let discarded = 0;
  let finished = false;
  const finish = (error: Error | null, body?: ReceivedBody): void => {
    if (finished) return;
    finished = true;
    done(error, body);
  };
  const result = (): ReceivedBody => ({ body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, kept), oversize: discarded > 0 });
  payload.on('data', (chunk: Buffer) => {
    if (finished) return;
    const room = limit - kept;
    if (!reservation.cover(kept + Math.min(chunk.length, Math.max(room, 0)))) {
      // An undeclared (chunked) length outgrew the budget: stop reading; the refusal closes the connection.
      payload.pause();
      finish(new BodyBudgetExceeded(BUSY_DETAIL));
      return;
    }
    if (chunk.length <= room) {
      chunks.push(chunk);
      kept += chunk.length;
      return;
    }
    if (room > 0) {
      chunks.push(chunk.subarray(0, room));
      kept += room;
    }
    discarded += chunk.length - Math.max(room, 0);
    if (discarded > maxDiscardBytes) {
      // The handler answers with `connection: close`, so the unread rest dies with the connection.
      payload.pause();
      finish(null, result());
    }
  });
  payload.on('end', () => finish(null, result()));
  payload.on('error', (error: Error) => finish(error));
}

/** The body bytes a request announces (0 without Content-Length: a chunked body reserves as it arrives). */
function declaredLength(raw: IncomingMessage): number {
  const value = Number(raw.headers['content-length']);
  return Number.isSafeInteger(value) && value > 0 ? value : 0;
}

/** Whether a body may follow the headers: refusing before it is read then closes the connection rather than drain it. */
function mayHaveBody(raw: IncomingMessage): boolean {
  return declaredLength(raw) > 0 || raw.headers['transfer-encoding'] !== undefined;
}

/**
 * The webhook routes, registered on the Fastify instance itself rather than as a Nest controller: the hot path runs
 * no Nest guard/interceptor/pipe machinery and no JSON re-serialisation. In its own encapsulated context, every
 * content-type parser is replaced by one that hands over the raw bytes.
 */
export function registerWebhookRoutes(
  fastify: FastifyInstance,
  ingress: WebhookIngress,
  metrics: GatewayMetrics,
  logger: Logger,
  guards: WebhookRouteGuards,
  limits: WebhookHttpLimits = DEFAULT_HTTP_LIMITS,
): void {
  const states = new WeakMap<FastifyRequest, RequestState>();
  let closing = false;
  // Server close only ends connections idle at that moment; one busy with a request would otherwise stay open until
  // its keep-alive timeout. Answers given while closing end their connection.
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });

  const answer = (reply: FastifyReply, sourceLabel: string, startedAt: number, result: GatewayReply): FastifyReply => {
    metrics.answered(sourceLabel, result.status, (performance.now() - startedAt) / 1000);
    if (closing) reply.header('connection', 'close');
    return send(reply, result);
  };

  fastify.register(async (instance) => {
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser('*', (request, payload, done) => {
      const state = states.get(request);
      if (!state) return done(null, { body: EMPTY, oversize: false });
      readBody(payload, state.source.maxBodyBytes, limits.maxDiscardBytes, state.reservation, done);
    });

    // Admission before the body is read: an unknown source, a wrong method, a credential in the headers or query that
    // does not verify, a source over its rate, or a body that does not fit the process's budget costs nothing.
    instance.addHook('onRequest', (request, reply, done) => {
      const startedAt = performance.now();
      const params = request.params as Params;
      if (request.raw.rawHeaders.length / 2 > limits.maxHeaderCount) {
        answer(reply.header('connection', 'close'), UNKNOWN_SOURCE_LABEL, startedAt, refusal(null, 431, `more than ${limits.maxHeaderCount} header fields`));
        return;
      }
      if (closing) {
        // Fastify's own 503 while closing (return503OnClosing) would not be problem details or Cellosign's shape.
        const source = ingress.source(params.sourceId);
        answer(reply, source?.id ?? UNKNOWN_SOURCE_LABEL, startedAt, refusal(source, 503, CLOSING_DETAIL, { retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS }));
        return;
      }
      const url = request.url;
      const q = url.indexOf('?');
      const receivedAtMs = Date.now();
      const admission = ingress.admit({
        method: request.method,
        sourceId: params.sourceId,
        hasPathStatus: params.status !== undefined,
        headers: request.headers,
        rawQuery: q < 0 ? '' : url.slice(q + 1),
        client: clientAddress(request.raw.socket.remoteAddress, request.headers['x-forwarded-for'], guards.trustedProxies),
        nowMs: receivedAtMs,
      });
      if (!admission.admitted) {
        const source = ingress.source(params.sourceId);
        if (mayHaveBody(request.raw)) reply.header('connection', 'close');
        answer(reply, source && admission.reply.status !== 404 ? source.id : UNKNOWN_SOURCE_LABEL, startedAt, admission.reply);
        return;
      }
      const { source } = admission;
      // Only the kept part of a body over the limit is buffered (the rest is discarded as it arrives).
      const reservation = guards.bodyBudget.reserve(Math.min(declaredLength(request.raw), source.maxBodyBytes));
      if (!reservation) {
        ingress.abandon(admission);
        answer(reply.header('connection', 'close'), source.id, startedAt, refusal(source, 503, BUSY_DETAIL, { retryAfterSeconds: BUSY_RETRY_AFTER_SECONDS }));
        return;
      }
      reply.raw.once('close', () => reservation.release());
      states.set(request, { admitted: admission, source, receivedAtMs, startedAt, reservation });
      done();
    });

    const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
      const state = states.get(request)!;
      const received = request.body as ReceivedBody | undefined;
      const url = request.url;
      const q = url.indexOf('?');
      const params = request.params as Params;
      if (received?.oversize) reply.header('connection', 'close');
      const result = await ingress.accept(state.admitted, {
        method: request.method,
        path: q < 0 ? url : url.slice(0, q),
        rawQuery: q < 0 ? '' : url.slice(q + 1),
        sourceId: state.source.id,
        pathStatus: params.status ?? null,
        headers: request.headers,
        body: received?.body ?? EMPTY,
        oversize: received?.oversize ?? false,
        receivedAtMs: state.receivedAtMs,
      });
      return answer(reply, state.source.id, state.startedAt, result);
    };

    instance.route({ method: METHODS, url: '/webhooks/:sourceId', handler, exposeHeadRoute: false });
    instance.route({ method: METHODS, url: '/webhooks/:sourceId/:status', handler, exposeHeadRoute: false });

    // Fastify's own refusals (a malformed Content-Type header, an aborted upload) in the same reply format.
    instance.setErrorHandler((error: FastifyError, request, reply) => {
      const state = states.get(request);
      const startedAt = state?.startedAt ?? performance.now();
      const label = state?.source.id ?? UNKNOWN_SOURCE_LABEL;
      const source = state?.source ?? null;
      if (state) ingress.abandon(state.admitted);
      if (error instanceof BodyBudgetExceeded) {
        return answer(reply.header('connection', 'close'), label, startedAt, refusal(source, 503, BUSY_DETAIL, { retryAfterSeconds: BUSY_RETRY_AFTER_SECONDS }));
      }
      if (error.statusCode === 415) return answer(reply, label, startedAt, refusal(source, 415, 'the Content-Type header is not a valid media type'));
      if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
        return answer(reply, label, startedAt, refusal(source, 400, 'the request could not be read'));
      }
      logger.error({ err: { name: error.name, code: error.code }, source: label }, 'webhook request failed');
      return answer(reply, label, startedAt, refusal(source, 500, 'the webhook could not be processed'));
    });
  });
}
