import type { IncomingHttpHeaders } from 'node:http';
import { v7 as uuidv7 } from 'uuid';
import { InvalidRecordError, errorCode } from '@hookbus/contracts';
import type { SourceConfig } from '@hookbus/config';
import type { OutgoingRecord } from '@hookbus/kafka';
import { adapterFor, decodedWebhook, queryToObject } from '@hookbus/providers';
import { NonceCache } from '../auth/nonce-cache';
import { authCoversBody, authenticate, secretHeaderNames, signatureNonce } from '../auth/source-authenticator';
import { ClientFailureThrottle, SourceRateLimiter } from '../rate-limit/token-bucket';
import { accepted, refusal, type GatewayReply, type RefusalStatus } from '../replies/gateway-reply';
import { publicHeadersJson, quarantineRecord, rawRecord, rawWebhookOf, withoutQueryParam, type IngressRequest, type Receipt } from './webhook-records';

/** Stores a record durably (acknowledged by all in-sync replicas) or rejects; never resolves for a lost record. */
export interface RecordStore {
  store(record: OutgoingRecord): Promise<void>;
}

export interface IngressObserver {
  quarantined(sourceId: string, status: number): void;
}

/** The Retry-After we send with a 503: Kafka outages are usually a broker restart or a leader election. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

const EMPTY = Buffer.alloc(0);
const UNAVAILABLE_DETAIL = 'the webhook could not be stored right now and was not accepted; retry later';

/** What the gateway knows about a request before its body is read. Header names are lower case (Node's form). */
export interface AdmissionRequest {
  readonly method: string;
  readonly sourceId: string;
  readonly hasPathStatus: boolean;
  readonly headers: IncomingHttpHeaders;
  /** The query string without the leading `?`. */
  readonly rawQuery: string;
  /** Who failed authentications are counted against (clientAddress). */
  readonly client: string;
  readonly nowMs: number;
}

export interface Admitted {
  readonly admitted: true;
  readonly source: SourceConfig;
  readonly client: string;
  /** The credential was in the headers or query and is verified; false when it covers the body (checked in accept). */
  readonly verified: boolean;
  /** The Authvia signature this request used up, released if the request is not stored. */
  readonly nonce: string | null;
}

export type Admission = Admitted | { readonly admitted: false; readonly reply: GatewayReply };

const RATE_DETAIL = 'over the rate limit of this source; retry later';
const GUESSING_DETAIL = 'too many failed authentications from this address; retry later';
const REPLAY_DETAIL = 'this signature was already used';

/**
 * The gateway's decisions, free of HTTP framework. `admit`, before the body is read: which source, whether the
 * method is allowed, then — for every credential in the headers or query (token, header, basic, authvia) — the
 * credential, an Authvia signature's single use, and the source's rate. `accept`, with the body: a signature over
 * the body (standard-webhooks) and the source's rate for it, decoding, routing and the durable write.
 *
 * The source's rate is charged only once a request is authenticated, so nobody without the credential can spend the
 * real provider's quota. Failed authentications are counted per client address (ClientFailureThrottle): the failing
 * address gets 429s, and a valid credential is always compared and accepted, from any address — a flood of wrong
 * guesses never makes the real sender's webhook (Credas does not retry) get a 429. What stops guessing is the
 * secret's length (at least 16 characters, libs/config).
 */
export class WebhookIngress {
  private readonly sources: ReadonlyMap<string, SourceConfig>;
  private readonly limiter: SourceRateLimiter;
  private readonly failures: ClientFailureThrottle;
  private readonly nonces = new NonceCache();
  private readonly secretHeaders = new Map<string, ReadonlySet<string>>();

  constructor(
    sources: readonly SourceConfig[],
    private readonly records: RecordStore,
    private readonly observer: IngressObserver = { quarantined: () => undefined },
  ) {
    this.sources = new Map(sources.map((s) => [s.id, s]));
    this.limiter = new SourceRateLimiter(sources);
    this.failures = new ClientFailureThrottle(sources);
    for (const source of sources) this.secretHeaders.set(source.id, secretHeaderNames(source.auth));
  }

  source(sourceId: string): SourceConfig | null {
    return this.sources.get(sourceId) ?? null;
  }

  admit(request: AdmissionRequest): Admission {
    const source = this.sources.get(request.sourceId);
    // The status-in-path form exists only for providers whose adapter says so (Octapush; contract §3).
    if (!source || (request.hasPathStatus && !adapterFor(source.provider).statusInPath)) {
      return { admitted: false, reply: refusal(null, 404, 'no webhook source at this address') };
    }
    if (!(source.methods as readonly string[]).includes(request.method)) {
      return { admitted: false, reply: refusal(source, 405, `method ${request.method.slice(0, 10)} is not allowed for this source`, { allow: source.methods }) };
    }
    if (authCoversBody(source.auth)) return { admitted: true, source, client: request.client, verified: false, nonce: null };
    const auth = authenticate(source.auth, { headers: request.headers, query: queryToObject(request.rawQuery), body: EMPTY }, request.nowMs);
    if (!auth.ok) return { admitted: false, reply: this.failed(source, request.client, auth.reason, request.nowMs) };
    const signature = signatureNonce(source.auth, request.headers);
    if (signature && !this.nonces.claim(signature.nonce, signature.expiresAtMs, request.nowMs)) {
      return { admitted: false, reply: this.failed(source, request.client, REPLAY_DETAIL, request.nowMs) };
    }
    const rate = this.limiter.take(source.id, request.nowMs);
    if (!rate.ok) {
      if (signature) this.nonces.release(signature.nonce);
      return { admitted: false, reply: refusal(source, 429, RATE_DETAIL, { retryAfterSeconds: rate.retryAfterSeconds }) };
    }
    return { admitted: true, source, client: request.client, verified: true, nonce: signature?.nonce ?? null };
  }

  async accept(admitted: Admitted, request: IngressRequest): Promise<GatewayReply> {
    const reply = await this.authenticatedAccept(admitted, request);
    // A signature is used up only by a request that was recorded; the provider retries one answered 429 or 503.
    if (reply.status === 429 || reply.status === 503) this.abandon(admitted);
    return reply;
  }

  /** The request will not be stored (refused before its body was read, or its upload failed): its signature is unused. */
  abandon(admitted: Admitted): void {
    if (admitted.nonce !== null) this.nonces.release(admitted.nonce);
  }

  private async authenticatedAccept({ source, client, verified }: Admitted, request: IngressRequest): Promise<GatewayReply> {
    if (!verified) {
      // A signature over the whole body cannot vouch for the part we kept: refuse without recording.
      if (request.oversize) return refusal(source, 413, this.tooLargeDetail(source));
      const query = queryToObject(request.rawQuery);
      const auth = authenticate(source.auth, { headers: request.headers, query, body: request.body }, request.receivedAtMs);
      if (!auth.ok) return this.failed(source, client, auth.reason, request.receivedAtMs);
      const rate = this.limiter.take(source.id, request.receivedAtMs);
      if (!rate.ok) return refusal(source, 429, RATE_DETAIL, { retryAfterSeconds: rate.retryAfterSeconds });
    }

    const receipt = this.receipt(source, request);
    if (request.oversize) return this.quarantine(source, request, receipt, 413, 'gateway.body_too_large', this.tooLargeDetail(source));
    let key: string;
    try {
      key = this.routingKey(source, request, receipt);
    } catch (error) {
      if (!(error instanceof InvalidRecordError)) return this.quarantine(source, request, receipt, 500, errorCode(error), 'the webhook could not be processed');
      const status: RefusalStatus = error.code === 'providers.unsupported_content_type' ? 415 : 400;
      return this.quarantine(source, request, receipt, status, error.code, error.message);
    }
    try {
      await this.records.store(rawRecord(source, request, receipt, key));
    } catch {
      return refusal(source, 503, UNAVAILABLE_DETAIL, { retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS });
    }
    return accepted(source, receipt.receiptId);
  }

  /** A failed authentication: 401, or 429 once this client has failed too often on this source. */
  private failed(source: SourceConfig, client: string, reason: string, nowMs: number): GatewayReply {
    const throttled = this.failures.fail(source.id, client, nowMs);
    if (!throttled.ok) return refusal(source, 429, GUESSING_DETAIL, { retryAfterSeconds: throttled.retryAfterSeconds });
    return refusal(source, 401, reason);
  }

  private receipt(source: SourceConfig, request: IngressRequest): Receipt {
    return {
      receiptId: uuidv7(),
      receivedAt: new Date(request.receivedAtMs).toISOString(),
      query: withoutQueryParam(request.rawQuery, source.auth.type === 'token' ? source.auth.param : null),
      requestHeaders: publicHeadersJson(request.headers, this.secretHeaders.get(source.id) ?? secretHeaderNames(source.auth)),
    };
  }

  /** Decodes the body and asks the provider's adapter which entity the webhook is about. */
  private routingKey(source: SourceConfig, request: IngressRequest, receipt: Receipt): string {
    return adapterFor(source.provider).routingKey(decodedWebhook(rawWebhookOf(source, request, receipt)), source);
  }

  /**
   * Records a refused request on webhooks.quarantine before answering the refusal. If even that cannot be stored
   * the answer is 503: the provider retries, and the retry is recorded, so nothing it sent is lost.
   */
  private async quarantine(source: SourceConfig, request: IngressRequest, receipt: Receipt, status: RefusalStatus, code: string, detail: string): Promise<GatewayReply> {
    try {
      await this.records.store(quarantineRecord(source, request, receipt, { status, code, detail }));
    } catch {
      return refusal(source, 503, UNAVAILABLE_DETAIL, { retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS });
    }
    this.observer.quarantined(source.id, status);
    return refusal(source, status, detail, { receiptId: receipt.receiptId });
  }

  private tooLargeDetail(source: SourceConfig): string {
    return `body larger than this source's limit of ${source.maxBodyBytes} bytes`;
  }
}
