import { v7 as uuidv7 } from 'uuid';
import { InvalidRecordError, errorCode } from '@hookbus/contracts';
import type { SourceAuth, SourceConfig } from '@hookbus/config';
import type { OutgoingRecord } from '@hookbus/kafka';
import { adapterFor, decodeBody, queryToObject, type DecodedWebhook } from '@hookbus/providers';
import { authCoversBody, authenticate, secretHeaderNames } from '../auth/source-authenticator';
import { SourceRateLimiter } from '../rate-limit/token-bucket';
import { accepted, refusal, type GatewayReply, type RefusalStatus } from '../replies/gateway-reply';
import { contentTypeOf, publicHeadersJson, quarantineRecord, rawRecord, withoutQueryParam, type IngressRequest, type Receipt } from './webhook-records';

/** Stores a record durably (acknowledged by all in-sync replicas) or rejects; never resolves for a lost record. */
export interface RecordStore {
  store(record: OutgoingRecord): Promise<void>;
}

export interface IngressObserver {
  quarantined(sourceId: string, status: number): void;
}

/** The Retry-After we send with a 503: Kafka outages are usually a broker restart or a leader election. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

const UNAVAILABLE_DETAIL = 'the webhook could not be stored right now and was not accepted; retry later';

export type Admission = { readonly admitted: true; readonly source: SourceConfig } | { readonly admitted: false; readonly reply: GatewayReply };

const RATE_DETAIL = 'over the rate limit of this source; retry later';
const GUESSING_DETAIL = 'too many failed authentications for this source; retry later';

/**
 * A shared secret sent as is (header, token, basic) can be guessed, so once a source's failed-authentication bucket
 * is empty every request is refused before its credential is compared. An HMAC signature cannot be guessed: a valid
 * one is never refused for others' failures (Authvia disables a subscription after 50 failed deliveries).
 */
function guessable(auth: SourceAuth): boolean {
  return auth.type === 'header' || auth.type === 'token' || auth.type === 'basic';
}

/**
 * The gateway's decisions, free of HTTP framework: which source, whether the method is allowed and the source is
 * not being flooded with failed authentications (`admit`, before the body is read), then authentication, the
 * source's rate, decoding, routing and the durable write (`accept`). The source's rate is charged only once the
 * request is authenticated, so nobody without the credential can spend the real provider's quota; failed
 * authentications spend a bucket of their own (same numbers as the source's `rateLimit`).
 */
export class WebhookIngress {
  private readonly sources: ReadonlyMap<string, SourceConfig>;
  private readonly limiter: SourceRateLimiter;
  private readonly authFailures: SourceRateLimiter;
  private readonly secretHeaders = new Map<string, ReadonlySet<string>>();

  constructor(
    sources: readonly SourceConfig[],
    private readonly records: RecordStore,
    private readonly observer: IngressObserver = { quarantined: () => undefined },
  ) {
    this.sources = new Map(sources.map((s) => [s.id, s]));
    this.limiter = new SourceRateLimiter(sources);
    this.authFailures = new SourceRateLimiter(sources);
    for (const source of sources) this.secretHeaders.set(source.id, secretHeaderNames(source.auth));
  }

  source(sourceId: string): SourceConfig | null {
    return this.sources.get(sourceId) ?? null;
  }

  admit(method: string, sourceId: string, hasPathStatus: boolean, nowMs: number): Admission {
    const source = this.sources.get(sourceId);
    // The status-in-path form exists only for Octapush sources (contract §3).
    if (!source || (hasPathStatus && source.provider !== 'octapush')) {
      return { admitted: false, reply: refusal(null, 404, 'no webhook source at this address') };
    }
    if (!(source.methods as readonly string[]).includes(method)) {
      return { admitted: false, reply: refusal(source, 405, `method ${method.slice(0, 10)} is not allowed for this source`, { allow: source.methods }) };
    }
    if (guessable(source.auth)) {
      const guessing = this.authFailures.check(source.id, nowMs);
      if (!guessing.ok) return { admitted: false, reply: refusal(source, 429, GUESSING_DETAIL, { retryAfterSeconds: guessing.retryAfterSeconds }) };
    }
    // Nothing to authenticate: the quota can be charged before the body is read.
    if (source.auth.type === 'none') {
      const rate = this.limiter.take(source.id, nowMs);
      if (!rate.ok) return { admitted: false, reply: refusal(source, 429, RATE_DETAIL, { retryAfterSeconds: rate.retryAfterSeconds }) };
    }
    return { admitted: true, source };
  }

  async accept(source: SourceConfig, request: IngressRequest): Promise<GatewayReply> {
    const query = queryToObject(request.rawQuery);
    if (request.oversize && authCoversBody(source.auth)) {
      // A signature over the whole body cannot vouch for the part we kept: refuse without recording.
      return refusal(source, 413, this.tooLargeDetail(source));
    }
    const auth = authenticate(source.auth, { headers: request.headers, query, body: request.body }, request.receivedAtMs);
    if (!auth.ok) {
      const guessing = this.authFailures.take(source.id, request.receivedAtMs);
      if (!guessing.ok) return refusal(source, 429, GUESSING_DETAIL, { retryAfterSeconds: guessing.retryAfterSeconds });
      return refusal(source, 401, auth.reason);
    }
    if (source.auth.type !== 'none') {
      const rate = this.limiter.take(source.id, request.receivedAtMs);
      if (!rate.ok) return refusal(source, 429, RATE_DETAIL, { retryAfterSeconds: rate.retryAfterSeconds });
    }

    const receipt = this.receipt(source, request);
    if (request.oversize) return this.quarantine(source, request, receipt, 413, 'body_too_large', this.tooLargeDetail(source));
    let key: string;
    try {
      key = this.routingKey(source, request, receipt);
    } catch (error) {
      if (!(error instanceof InvalidRecordError)) return this.quarantine(source, request, receipt, 500, errorCode(error), 'the webhook could not be processed');
      const status: RefusalStatus = error.code === 'unsupported_content_type' ? 415 : 400;
      return this.quarantine(source, request, receipt, status, error.code, error.message);
    }
    try {
      await this.records.store(rawRecord(source, request, receipt, key));
    } catch {
      return refusal(source, 503, UNAVAILABLE_DETAIL, { retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS });
    }
    return accepted(source, receipt.receiptId);
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
    const contentType = contentTypeOf(request);
    const webhook: DecodedWebhook = {
      sourceId: source.id,
      provider: source.provider,
      kind: source.kind,
      method: request.method === 'GET' ? 'GET' : 'POST',
      path: request.path,
      query: queryToObject(receipt.query),
      pathStatus: request.pathStatus,
      contentType,
      body: request.body,
      payload: decodeBody(request.body, contentType),
    };
    return adapterFor(source.provider).routingKey(webhook, source);
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
