import type { BlockList } from 'node:net';
import { trustedProxyList, type ServiceContext } from '@hookbus/platform';
import type { ConsoleAudit } from './audit-entry';
import type { ConsoleActions } from './console-actions';
import { LoginThrottle } from './auth/login-throttle';
import type { OidcFlow } from './auth/oidc-flow';
import { SessionStore } from './auth/sessions';
import type { ConsoleSettings } from './console-settings';
import { maskText } from './personal-data-mask';
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
  /** What an unknown user name's password is verified against (decoyHashFor, made at start with the users' parameters). */
  readonly decoyHash: string;
  /** settings.trustedProxies, for clientAddress(). */
  readonly trustedProxies: BlockList;
  readonly readModel: ReadModel;
  readonly audit: ConsoleAudit;
  /** Single sign-on, when `console.oidc` is configured. */
  readonly oidc: OidcFlow | null;
  /** The actions (redrive, Credas re-fetch) through Kafka, audited on console.audit.v1; null in a test without Kafka. */
  readonly actions: ConsoleActions | null;
}

export function loggingAudit(context: ServiceContext): ConsoleAudit {
  return {
    async record(entry) {
      const user = loggedName(entry.user);
      context.logger.info({ user, role: entry.role, action: entry.action }, `console action ${entry.action} by ${user}`);
    },
  };
}

/** A user name as logs may carry it: a single sign-on name is often an email address, masked like any other. */
export function loggedName(name: string): string {
  return maskText(name);
}

export function createRuntime(context: ServiceContext, settings: ConsoleSettings, decoyHash: string, readModel: ReadModel, audit: ConsoleAudit = loggingAudit(context), oidc: OidcFlow | null = null, actions: ConsoleActions | null = null): ConsoleRuntime {
  return { context, settings, sessions: new SessionStore(), throttle: new LoginThrottle(), decoyHash, trustedProxies: trustedProxyList(settings.trustedProxies), readModel, audit, oidc, actions };
}
