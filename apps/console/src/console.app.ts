import type { RunningService } from '@hookbus/nest-kafka';
import { createServiceApp, listen, type ServiceContext } from '@hookbus/platform';
import { discoverOidc, type OidcFlow } from './auth/oidc-flow';
import { decoyHashFor } from './auth/password-hash';
import { ConsoleErrors } from './console-errors';
import { ConsoleModule } from './console.module';
import { ConsoleActions, ConsoleKafka, type ActionPorts } from './console-actions';
import { createRuntime, type ConsoleAudit } from './console-runtime';
import { consoleSettings, type ConsoleSettings } from './console-settings';
import { ReadModel } from './read-model';

export interface ConsoleOptions {
  readonly port?: number;
  /** Settings already validated (a test's); default: consoleSettings(context.env, context.config). */
  readonly settings?: ConsoleSettings;
  readonly audit?: ConsoleAudit;
  /** The single sign-on flow (a test's); default: discovered from `console.oidc` when configured. */
  readonly oidc?: OidcFlow;
  /** Where actions read dead letters and send records (a test's fakes); default: Kafka (KAFKA_BROKERS). */
  readonly actionPorts?: ActionPorts;
}

/** Headers on every answer: no framing, no inline script or style, no sniffing, no caching of pages with data. */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
};

/** Sent when the session cookie is Secure: a year, this host only (the console's host is not the organisation's). */
const HSTS = 'max-age=31536000';

/**
 * Starts the console: server-rendered pages over the Postgres read model (read-only sessions), on CONSOLE_PORT,
 * never on the gateway's port. Its settings (users, cookie, monitor URL) are validated before anything listens.
 */
export async function startConsole(context: ServiceContext, options: ConsoleOptions = {}): Promise<RunningService> {
  const settings = options.settings ?? consoleSettings(context.env, context.config);
  const oidc = options.oidc ?? (settings.oidc ? await discoverOidc(settings.oidc) : null);
  const readModel = new ReadModel(context.env.databaseUrl);
  // Actions and their audit trail go through Kafka (console.audit.v1); a test may give its own audit sink or ports.
  const kafka = options.actionPorts ? null : new ConsoleKafka(context);
  const actions = new ConsoleActions(options.actionPorts ?? kafka!.ports, context.logger);
  // The unknown-name decoy, with the users' scrypt parameters, before anything listens (no first-login cost).
  const decoy = await decoyHashFor(settings.users.map((u) => u.passwordHash));
  const runtime = createRuntime(context, settings, decoy, readModel, options.audit ?? actions.audit, oidc, actions);
  const app = await createServiceApp(context, ConsoleModule.forRuntime(context, runtime));
  app.useGlobalFilters(new ConsoleErrors(context));
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onSend', async (_request, reply, payload) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
    // A Secure cookie means the console is served over TLS (CONSOLE_COOKIE_SECURE): browsers then keep to https.
    if (settings.cookieSecure) reply.header('strict-transport-security', HSTS);
    if (String(reply.getHeader('content-type') ?? '').startsWith('text/html')) reply.header('cache-control', 'no-store');
    return payload;
  });
  const url = await listen(app, options.port ?? settings.port, context);
  return {
    app,
    url,
    close: async () => {
      try {
        await app.close();
        await readModel.close();
      } finally {
        await kafka?.close();
      }
    },
  };
}
