import type { ServiceContext } from '@hookbus/platform';
import type { ConsoleAudit } from './audit-entry';
import type { ConsoleActions } from './console-actions';
import { LoginThrottle } from './auth/login-throttle';
import { SessionStore } from './auth/sessions';
import type { ConsoleSettings } from './console-settings';
import type { ReadModel } from './read-model';

/** Injection token of the ConsoleRuntime: what every page controller is given. */
export const CONSOLE_RUNTIME = Symbol('CONSOLE_RUNTIME');

export type { ConsoleAudit, ConsoleAuditEntry } from './audit-entry';

/** The console process's state: settings, sessions, the login throttle, the read model, the audit sink. */
export interface ConsoleRuntime {
  readonly context: ServiceContext;
  readonly settings: ConsoleSettings;
  readonly sessions: SessionStore;
  readonly throttle: LoginThrottle;
  readonly readModel: ReadModel;
  readonly audit: ConsoleAudit;
  /** The actions (redrive, Credas re-fetch) through Kafka, audited on console.audit.v1; null in a test without Kafka. */
  readonly actions: ConsoleActions | null;
}

export function loggingAudit(context: ServiceContext): ConsoleAudit {
  return {
    async record(entry) {
      context.logger.info({ user: entry.user, role: entry.role, action: entry.action }, `console action ${entry.action} by ${entry.user}`);
    },
  };
}

export function createRuntime(context: ServiceContext, settings: ConsoleSettings, readModel: ReadModel, audit: ConsoleAudit = loggingAudit(context), actions: ConsoleActions | null = null): ConsoleRuntime {
  return { context, settings, sessions: new SessionStore(), throttle: new LoginThrottle(), readModel, audit, actions };
}
