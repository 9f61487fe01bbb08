import {
  EventTypes,
  cloudEventEnvelope,
  type CommunicationStatusData,
  type CommunicationStatusEvent,
  type ProcessStatusData,
  type ProcessStatusEvent,
} from '@hookbus/contracts';

/** Builders of the events the tracker consumes, for this library's specs. */
export function communicationEvent(
  id: string,
  time: string,
  data: Partial<CommunicationStatusData> & Pick<CommunicationStatusData, 'communicationId' | 'provider' | 'channel' | 'status'>,
): CommunicationStatusEvent {
  return cloudEventEnvelope({
    id,
    type: EventTypes.communicationStatus,
    source: `/webhooks/${data.provider}`,
    subject: data.communicationId,
    time,
    provider: data.provider,
    receiptid: `receipt-${id}`,
    data: { final: false, providerStatus: { code: data.status, text: null }, original: {}, ...data },
  });
}

export function processEvent(
  id: string,
  time: string,
  data: Partial<ProcessStatusData> & Pick<ProcessStatusData, 'processKey' | 'provider' | 'status'>,
): ProcessStatusEvent {
  return cloudEventEnvelope({
    id,
    type: EventTypes.processStatus,
    source: `/webhooks/${data.provider}`,
    subject: data.processKey,
    time,
    provider: data.provider,
    receiptid: `receipt-${id}`,
    data: {
      processId: data.processKey.slice(data.processKey.indexOf(':') + 1),
      final: false,
      providerStatus: { code: data.status, text: null },
      original: {},
      ...data,
    },
  });
}

/** Applies `items` in `order` (indices, repeats allowed) from an empty state; returns every step for inspection. */
export function replay<S, I, T>(
  items: readonly I[],
  order: readonly number[],
  apply: (state: S | null, item: I) => { state: S | null; transitions: T[] },
): Array<{ index: number; before: S | null; after: S | null; transitions: T[] }> {
  const steps: Array<{ index: number; before: S | null; after: S | null; transitions: T[] }> = [];
  let state: S | null = null;
  for (const index of order) {
    const result = apply(state, items[index]);
    steps.push({ index, before: state, after: result.state, transitions: result.transitions });
    state = result.state;
  }
  return steps;
}

/** A state without its order-dependent bookkeeping (`seq`): what must converge. */
export function withoutSeq<S extends { seq: number }>(state: S | null): Omit<S, 'seq'> | null {
  if (state === null) return null;
  const { seq: _seq, ...rest } = state;
  return rest;
}
