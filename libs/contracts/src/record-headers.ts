/**
 * Names of the Kafka record headers hookbus writes. Raw and quarantine records carry the request facts; every
 * derived record carries the receipt id so one webhook can be followed end to end; dead letters say where they
 * came from.
 */
export const RawHeaders = {
  receiptId: 'hookbus-receipt-id',
  receivedAt: 'hookbus-received-at',
  sourceId: 'hookbus-source-id',
  provider: 'hookbus-provider',
  kind: 'hookbus-kind',
  method: 'hookbus-method',
  /** The request path, e.g. /webhooks/octapush-sms/delivered. */
  path: 'hookbus-path',
  /** The query string without the leading `?`, with the auth token parameter removed. */
  query: 'hookbus-query',
  contentType: 'hookbus-content-type',
  /** Octapush `/webhooks/{sourceId}/{status}`: the status segment, decoded. */
  pathStatus: 'hookbus-path-status',
  /** Non-secret request headers as JSON (auth headers and signatures removed). */
  requestHeaders: 'hookbus-request-headers',
} as const;

export const QuarantineHeaders = {
  ...RawHeaders,
  /** The HTTP status the gateway answered. */
  status: 'hookbus-refused-status',
  reason: 'hookbus-refused-reason',
  /** true when the body was cut to the quarantine limit. */
  truncated: 'hookbus-body-truncated',
} as const;

export const DeadLetterHeaders = {
  stage: 'hookbus-dlq-stage',
  errorCode: 'hookbus-dlq-error-code',
  error: 'hookbus-dlq-error',
  originalTopic: 'hookbus-dlq-topic',
  originalPartition: 'hookbus-dlq-partition',
  originalOffset: 'hookbus-dlq-offset',
  attempts: 'hookbus-dlq-attempts',
  failedAt: 'hookbus-dlq-failed-at',
  /** Set when the dead letter travels without the original value (too large for webhooks.deadletter): its size. */
  payloadDroppedBytes: 'hookbus-dlq-payload-dropped-bytes',
  /** On a redrive marker (null value): the dead letter's own position, `partition:offset`, and when it was redriven. */
  redriveOf: 'hookbus-dlq-redrive-of',
  redrivenAt: 'hookbus-dlq-redriven-at',
} as const;

/** Carried on every event record so logs and the projector can follow a webhook across services. */
export const TraceHeaders = {
  receiptId: 'hookbus-receipt-id',
  eventId: 'hookbus-event-id',
  contentType: 'content-type',
} as const;

export const CLOUDEVENTS_CONTENT_TYPE = 'application/cloudevents+json';

/**
 * Headers a retry-lane record (orchestrator.credas.retry-*.v1) carries on top of the original record's own: the
 * attempt about to be made, when, and where the original record came from. All start with RETRY_HEADER_PREFIX.
 */
export const RETRY_HEADER_PREFIX = 'hookbus-retry-';
export const RetryHeaders = {
  attempt: 'hookbus-retry-attempt',
  dueAt: 'hookbus-retry-due-at',
  originTopic: 'hookbus-retry-origin-topic',
  originPartition: 'hookbus-retry-origin-partition',
  originOffset: 'hookbus-retry-origin-offset',
  processKey: 'hookbus-retry-process-key',
  force: 'hookbus-retry-force',
  lastError: 'hookbus-retry-last-error',
} as const;
