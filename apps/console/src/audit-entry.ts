import type { ConsoleAuditOutcome, ConsoleAuditTargetKind } from '@hookbus/contracts';

/**
 * An action worth auditing (who, what, when). The console writes these to `console.audit.v1` (ConsoleActions.audit,
 * console-actions.ts); loggingAudit (console-runtime.ts) only logs them, for a console started without Kafka.
 */
export interface ConsoleAuditEntry {
  readonly user: string;
  readonly role: string;
  readonly action: string;
  /** What it was done to (a receipt id, a process key, a search): never logged by the default sink. */
  readonly target: string;
  /** What the target's ids are and, for several, all of them (console.audit.v1 `target`); default: a page, [target]. */
  readonly targetKind?: ConsoleAuditTargetKind;
  readonly targetIds?: readonly string[];
  /** How it ended (default ok) and what happened, in a sentence without personal data. */
  readonly outcome?: ConsoleAuditOutcome;
  readonly detail?: string;
}

export interface ConsoleAudit {
  record(entry: ConsoleAuditEntry): Promise<void>;
}

