import type { CloudEvent } from './cloud-event';
import type { CommunicationChannel } from './identity';
import type { CommunicationStatus, ProcessStatus, ProviderStatus } from './statuses';
import type { ProviderName } from './topics';

/** `data` of hookbus.communication.status (topic events.communications.v1, key communicationId). */
export interface CommunicationStatusData {
  readonly communicationId: string;
  readonly provider: ProviderName;
  readonly channel: CommunicationChannel;
  readonly status: CommunicationStatus;
  readonly final: boolean;
  readonly providerStatus: ProviderStatus;
  /** The process this message belongs to, when the provider says (Credas). */
  readonly processKey?: string | null;
  readonly processId?: string | null;
  readonly entityId?: string | null;
  /** Octapush: a Viber message that fell back to SMS names the SMS communication that continues it. */
  readonly continuedAs?: string | null;
  /** The provider's original fields, as parsed (tokens for Octapush). */
  readonly original: Record<string, unknown>;
}

/** `data` of hookbus.process.status (topic events.processes.v1, key processKey). */
export interface ProcessStatusData {
  readonly processKey: string;
  readonly provider: ProviderName;
  readonly processId: string;
  readonly status: ProcessStatus;
  readonly final: boolean;
  readonly providerStatus: ProviderStatus;
  /** Authvia orders updates by version; absent for providers without one. */
  readonly version?: number | null;
  readonly statusReason?: string | null;
  readonly expiresAt?: string | null;
  readonly closedAt?: string | null;
  readonly entityId?: string | null;
  /** Credas process webhooks: the query string of the webhookUrl (e.g. our-reference), the customer's correlation. */
  readonly reference?: Record<string, string> | null;
  readonly original: Record<string, unknown>;
}

/** `data` of hookbus.check.update (topic events.checks.v1, key entity id). */
export interface CheckUpdateData {
  readonly entityId: string;
  readonly provider: 'credas';
  readonly kind: 'status-update' | 'monitoring';
  readonly clientId?: string | null;
  readonly updateType?: number | null;
  readonly updateTypeName?: string | null;
  /** Status-update webhooks: the `Payload` JSON string, parsed. */
  readonly payload?: Record<string, unknown> | null;
  readonly original: Record<string, unknown>;
}

/** `data` of hookbus.transition (topic events.transitions.v1). */
export interface TransitionData {
  readonly kind: 'communication' | 'process';
  /** communicationId or processKey. */
  readonly key: string;
  readonly provider: ProviderName;
  readonly from: string | null;
  readonly to: string;
  readonly final: boolean;
  readonly requiresAction: boolean;
  readonly reason?: string | null;
  /** Position of this change in the entity's history, starting at 1. */
  readonly seq: number;
  /** The event that caused the change. */
  readonly causedBy: string;
}

export type CommunicationStatusEvent = CloudEvent<CommunicationStatusData, 'hookbus.communication.status'>;
export type ProcessStatusEvent = CloudEvent<ProcessStatusData, 'hookbus.process.status'>;
export type CheckUpdateEvent = CloudEvent<CheckUpdateData, 'hookbus.check.update'>;
export type TransitionEvent = CloudEvent<TransitionData, 'hookbus.transition'>;
