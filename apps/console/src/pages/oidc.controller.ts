import { randomBytes } from 'node:crypto';
import { Controller, Get, Header, Inject, NotFoundException, Query, Req, Res } from '@nestjs/common';
import { clientAddress } from '@hookbus/platform';
import type { FastifyReply } from 'fastify';
import { Public, readCookie, SESSION_COOKIE, type ConsoleRequest } from '../auth/access';
import type { OidcFlow } from '../auth/oidc-flow';
import type { ConsoleAuditEntry } from '../console-runtime';
import { SESSION_ABSOLUTE_MS } from '../auth/sessions';
import { CONSOLE_RUNTIME, loggedName, type ConsoleRuntime } from '../console-runtime';
import { html } from '../views/html';
import { HTML_CONTENT_TYPE, layout } from '../views/layout';
import { safeNext } from './login.controller';

/** The short-lived cookie naming a login under way at the provider (Lax: the provider's redirect back is cross-site). */
export const OIDC_COOKIE = 'hookbus_console_oidc';
const PENDING_MS = 10 * 60 * 1000;
/**
 * Logins under way, in memory. A full table answers 429 rather than evicting: eviction let anyone, unauthenticated,
 * push everyone else's logins in progress out with a loop of GETs. One address keeps at most a few (a person who
 * clicks twice), dropping its own oldest.
 */
const MAX_PENDING = 1000;
const MAX_PENDING_PER_ADDRESS = 5;

interface Pending {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  readonly next: string;
  readonly expiresAt: number;
  readonly address: string;
}

/** GET /login/oidc and /login/oidc/callback: single sign-on, when `console.oidc` is configured (404 otherwise). */
@Controller('login/oidc')
export class OidcController {
  private readonly pending = new Map<string, Pending>();

  constructor(@Inject(CONSOLE_RUNTIME) private readonly runtime: ConsoleRuntime) {}

  private flow(): OidcFlow {
    if (!this.runtime.oidc) throw new NotFoundException('single sign-on is not configured');
    return this.runtime.oidc;
  }

  @Public()
  @Get()
  async start(@Req() request: ConsoleRequest, @Res() reply: FastifyReply, @Query('next') next?: string): Promise<void> {
    const flow = this.flow();
    const address = clientAddress(request.raw.socket.remoteAddress, request.headers['x-forwarded-for'], this.runtime.trustedProxies);
    const now = Date.now();
    for (const [key, p] of this.pending) if (p.expiresAt < now) this.pending.delete(key);
    const own = [...this.pending].filter(([, p]) => p.address === address);
    for (const [key] of own.slice(0, Math.max(0, own.length - MAX_PENDING_PER_ADDRESS + 1))) this.pending.delete(key);
    if (this.pending.size >= MAX_PENDING) {
      reply.status(429).header('retry-after', '60').header('content-type', HTML_CONTENT_TYPE).send(layout({ title: 'Try again' }, undefined, html`<p>Too many single sign-ons are under way: try again in a minute.</p>`));
      return;
    }
    const started = await flow.start();
    const id = randomBytes(32).toString('base64url');
    this.pending.set(id, { state: started.state, nonce: started.nonce, codeVerifier: started.codeVerifier, next: safeNext(next), expiresAt: now + PENDING_MS, address });
    reply.header('set-cookie', `${OIDC_COOKIE}=${id}; Path=/login/oidc; HttpOnly; SameSite=Lax; Max-Age=${PENDING_MS / 1000}${this.runtime.settings.cookieSecure ? '; Secure' : ''}`);
    reply.status(303).header('location', started.url).send();
  }

  /**
   * The provider's redirect back. The session cookie is SameSite=Strict, so a browser would not send it on a redirect
   * chain that began at the provider: this answers a page that moves on by itself (a meta refresh, same-site).
   */
  @Public()
  @Get('callback')
  @Header('content-type', HTML_CONTENT_TYPE)
  async callback(@Req() request: ConsoleRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const flow = this.flow();
    const id = readCookie(request, OIDC_COOKIE);
    const pending = id ? this.pending.get(id) : undefined;
    if (id) this.pending.delete(id);
    reply.header('set-cookie', `${OIDC_COOKIE}=; Path=/login/oidc; HttpOnly; SameSite=Lax; Max-Age=0`);
    if (!pending || pending.expiresAt < Date.now()) return this.refused(reply, 'The single sign-on took too long or was not started here: try again.');
    const callbackUrl = new URL(request.url, this.runtime.settings.oidc!.redirectUrl);
    let identity;
    try {
      identity = await flow.finish(callbackUrl, pending);
    } catch (error) {
      // OidcRefused's code (oidc-login.ts) names why, never a claim's value; anything else is an unexpected failure.
      const code = refusalCode(error);
      this.runtime.context.logger.warn({ code }, 'console: single sign-on refused');
      this.auditLogin({ user: '?', role: 'none', action: 'login.refused', outcome: 'refused', detail: code });
      return this.refused(
        reply,
        code === 'console.oidc_no_role'
          ? 'Your account has no console role: ask an administrator to give it the viewer or operator role at the identity provider.'
          : 'The identity provider did not let you in: try again.',
      );
    }
    this.runtime.sessions.destroy(readCookie(request, SESSION_COOKIE));
    const session = this.runtime.sessions.create(identity.name, identity.role);
    reply.header('set-cookie', `${SESSION_COOKIE}=${session.id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_ABSOLUTE_MS / 1000}${this.runtime.settings.cookieSecure ? '; Secure' : ''}`);
    this.runtime.context.logger.info({ user: loggedName(identity.name), role: identity.role }, 'console: login (single sign-on)');
    this.auditLogin({ user: identity.name, role: identity.role, action: 'login', outcome: 'ok', detail: 'single sign-on' });
    return layout({ title: 'Logged in' }, undefined, html`<p>Logged in as ${identity.name}. <a href="${pending.next}">Continue</a></p>`, { refreshTo: pending.next });
  }

  /** A login, or a refused one, on the audit trail like a password login's (login.controller.ts); best effort. */
  private auditLogin(entry: Pick<ConsoleAuditEntry, 'user' | 'role' | 'action' | 'outcome' | 'detail'>): void {
    this.runtime.audit
      .record({ ...entry, target: 'oidc', targetKind: 'session', targetIds: [] })
      .catch(() => this.runtime.context.logger.warn({ action: entry.action }, 'console: login audit record not written'));
  }

  private refused(reply: FastifyReply, message: string): string {
    reply.status(403);
    return layout({ title: 'Log in' }, undefined, html`<p class="notice error" role="alert">${message}</p><p><a href="/login">Back to the login page</a></p>`);
  }
}

function refusalCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^console\.oidc_[a-z_]{1,40}$/.test(code) ? code : 'console.oidc_failed';
}
