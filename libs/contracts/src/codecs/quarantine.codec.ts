import { QuarantineHeaders } from '../record-headers';
import { Topics } from '../topics';
import { headerOf, type EncodedRecord, type RecordMessage } from './kafka-record';
import { rawWebhookHeaders, readRawWebhookFacts, type RawWebhook, type RawWebhookFacts } from './raw-webhook.codec';

/**
 * A refused-but-authenticated request (webhooks.quarantine): the raw record's facts, keyed by its receipt id, with
 * the status answered and why. Written by the gateway, read by the projector's receipts.
 */
export interface QuarantinedWebhook extends Omit<RawWebhook, 'key'> {
  /** The HTTP status the gateway answered. */
  readonly refusedStatus: number;
  /** `<code>: <detail>`. */
  readonly refusedReason: string;
  /** The body was cut to the quarantine limit. */
  readonly bodyTruncated: boolean;
}

export interface QuarantineFacts extends RawWebhookFacts {
  readonly refusedStatus: number | null;
  readonly refusedReason: string | null;
  readonly bodyTruncated: boolean;
}

export function encodeQuarantine(quarantined: QuarantinedWebhook): EncodedRecord {
  return {
    topic: Topics.quarantine.name,
    key: quarantined.receiptId,
    value: quarantined.body,
    headers: {
      ...rawWebhookHeaders(quarantined),
      [QuarantineHeaders.status]: String(quarantined.refusedStatus),
      [QuarantineHeaders.reason]: quarantined.refusedReason,
      [QuarantineHeaders.truncated]: String(quarantined.bodyTruncated),
    },
  };
}

/** What a quarantine record says, nothing required (the projector stores what it can); never throws. */
export function readQuarantine(message: RecordMessage): QuarantineFacts {
  const status = Number.parseInt(headerOf(message, QuarantineHeaders.status) ?? '', 10);
  return {
    ...readRawWebhookFacts(message),
    refusedStatus: Number.isInteger(status) ? status : null,
    refusedReason: headerOf(message, QuarantineHeaders.reason),
    bodyTruncated: headerOf(message, QuarantineHeaders.truncated) === 'true',
  };
}

export const quarantineCodec = { encode: encodeQuarantine, decode: readQuarantine } as const;
