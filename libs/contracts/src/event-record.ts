import { EventTypes, type CloudEvent, type EventType } from './cloud-event';
import type { CheckUpdateEvent, CommunicationStatusEvent, ProcessStatusEvent, TransitionEvent } from './event-data';
import { Topics } from './topics';

/**
 * Reading one record of a public event topic as its CloudEvent: the decoder downstream teams use (packaged as
 * @hookbus/events). It checks what a consumer relies on — JSON, CloudEvents 1.0, an event type this topic carries,
 * key = subject — and nothing more: the full schemas are for contract tests (validateRecord), not the read path.
 */

/** `data` of hookbus.process.action and hookbus.credas.results: documented in docs/asyncapi.yaml, typed loosely here. */
export type ProcessActionEvent = CloudEvent<Record<string, unknown>, 'hookbus.process.action'>;
export type CredasResultsEvent = CloudEvent<Record<string, unknown>, 'hookbus.credas.results'>;

/** Every event hookbus publishes, discriminated by `type`. */
export type HookbusEvent = CommunicationStatusEvent | ProcessStatusEvent | ProcessActionEvent | CheckUpdateEvent | TransitionEvent | CredasResultsEvent;

/** The event types each public event topic carries (a topic may gain types: that is an addition to the contract). */
export const EVENT_TYPES_BY_TOPIC: Readonly<Record<string, readonly EventType[]>> = {
  [Topics.communications.name]: [EventTypes.communicationStatus],
  [Topics.processes.name]: [EventTypes.processStatus, EventTypes.processAction],
  [Topics.checks.name]: [EventTypes.checkUpdate],
  [Topics.transitions.name]: [EventTypes.transition],
  [Topics.results.name]: [EventTypes.credasResults],
};

/** A Kafka record as clients hand it over (kafkajs' message plus its topic; any client's bytes or text fit). */
export interface EventRecord {
  readonly topic: string;
  readonly key: Buffer | string | null | undefined;
  readonly value: Buffer | string | null | undefined;
}

export type DecodedRecord =
  /** A hookbus event: `key` is its subject (a communicationId or processKey). */
  | { readonly kind: 'event'; readonly key: string; readonly event: HookbusEvent }
  /**
   * A well-formed CloudEvent of a type this decoder does not know: new types are additions to the contract, so a
   * consumer skips these (and counts them) instead of failing.
   */
  | { readonly kind: 'unknown-type'; readonly key: string | null; readonly type: string; readonly id: string }
  /** Not a hookbus event: the reason names the rule broken, never the record's content (it may be personal data). */
  | { readonly kind: 'invalid'; readonly reason: string };

function text(value: Buffer | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : value.toString('utf8');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

const KNOWN_TYPES: ReadonlySet<string> = new Set(Object.values(EventTypes));

/** Decodes one record of a public event topic. Pure: no I/O, never throws. */
export function decodeEventRecord(record: EventRecord): DecodedRecord {
  const invalid = (reason: string): DecodedRecord => ({ kind: 'invalid', reason });
  const body = text(record.value);
  if (body === null) return invalid('the value is null (event topics carry no tombstones)');
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return invalid('the value is not JSON');
  }
  if (!isObject(json)) return invalid('the value is not a JSON object');
  if (json.specversion !== '1.0') return invalid('specversion is not "1.0" (CloudEvents 1.0, structured mode)');
  if (!nonEmpty(json.id)) return invalid('id is missing or empty');
  if (!nonEmpty(json.type)) return invalid('type is missing or empty');
  const key = text(record.key);
  if (!KNOWN_TYPES.has(json.type)) return { kind: 'unknown-type', key, type: json.type, id: json.id };
  const expected = EVENT_TYPES_BY_TOPIC[record.topic];
  if (expected && !expected.includes(json.type as EventType)) return invalid(`type ${json.type} is not carried by ${record.topic}`);
  if (!nonEmpty(json.subject)) return invalid('subject is missing or empty');
  if (key !== json.subject) return invalid('the record key differs from the event subject');
  if (!nonEmpty(json.source) || !nonEmpty(json.time) || !nonEmpty(json.provider)) return invalid('source, time or provider is missing');
  if (!isObject(json.data)) return invalid('data is not a JSON object');
  return { kind: 'event', key, event: json as unknown as HookbusEvent };
}
