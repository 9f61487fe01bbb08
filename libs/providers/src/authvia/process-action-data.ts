import type { CloudEvent, EventTypes } from '@hookbus/contracts';

/**
 * `data` of hookbus.process.action (topic events.processes.v1, key processKey): one Authvia business process action
 * changed (subscription `business_processes_actions.update`,
 * docs/providers/authvia.md#business-process-action-updated). Action statuses have no canonical mapping (their enum is
 * not public), so `status` is Authvia's own text.
 */
export interface ProcessActionData {
  readonly actionId: string;
  readonly provider: 'authvia';
  readonly businessProcessId: string;
  readonly processKey: string;
  readonly type: string | null;
  readonly status: string | null;
  readonly context: unknown;
  readonly features: unknown;
  readonly original: Record<string, unknown>;
}

export type ProcessActionEvent = CloudEvent<ProcessActionData, typeof EventTypes.processAction>;
