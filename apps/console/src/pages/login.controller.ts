import { randomBytes } from 'node:crypto';
import { Body, Controller, Get, Header, HttpCode, Inject, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { clientAddress } from '@hookbus/platform';
import { CurrentSession, LOGIN_CSRF_COOKIE, Public, SESSION_COOKIE, readCookie, setCookie, type ConsoleRequest } from '../auth/access';
import { formField } from '../auth/access-guard';
import { verifyPassword } from '../auth/password-hash';
import { SESSION_ABSOLUTE_MS, type ConsoleSession } from '../auth/sessions';
import { CONSOLE_RUNTIME, loggedName, type ConsoleRuntime } from '../console-runtime';
import { html } from '../views/html';
import { HTML_CONTENT_TYPE, layout } from '../views/layout';

/** Where to go after login: a path of this console only (never `//host` or an absolute URL: no open redirect). */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])[\x21-\x7e]*$/.test(next) && !next.startsWith('/login') ? next : '/';
}

/** GET/POST /login, POST /logout: user name and password against the config's scrypt hashes, throttled. */
@Controller()
export class LoginController {
  constructor(@Inject(CONSOLE_RUNTIME) private readonly runtime: ConsoleRuntime) {}

  @Public()
  @Get('login')
  @Header('content-type', HTML_CONTENT_TYPE)
  form(@Req() request: ConsoleRequest, @Res({ passthrough: true }) reply: FastifyReply, @Query('next') next?: string): string {
    return this.render(request, reply, safeNext(next), null, '');
  }

  @Public()
  @Post('login')
  async login(@Req() request: ConsoleRequest, @Res() reply: FastifyReply, @Body() body: unknown): Promise<void> {
    const name = (formField(body, 'username') ?? '').trim().slice(0, 64);
    const password = formField(body, 'password') ?? '';
    const next = safeNext(formField(body, 'next'));
    // Behind the ingress: the right-most X-Forwarded-For address that is not a trusted proxy; IPv6 as its /64.
    const address = clientAddress(request.raw.socket.remoteAddress, request.headers['x-forwarded-for'], this.runtime.trustedProxies);
    // Counted before the scrypt runs (parallel guesses cannot all get a try), given back on success.
    const admission = this.runtime.throttle.begin(address, name);
    if (!admission.attempt) {
      const seconds = Math.ceil(admission.retryAfterMs / 1000);
      reply.status(429).header('retry-after', String(seconds)).type(HTML_CONTENT_TYPE).send(this.render(request, reply, next, `Too many failed logins: try again in ${seconds} s.`, name));
      return;
    }
    const user = this.runtime.settings.users.find((u) => u.name === name);
    let ok = false;
    try {
      // An unknown name costs the same scrypt as a wrong password: timing does not tell which names exist.
      ok = user ? await verifyPassword(password, user.passwordHash) : (await verifyPassword(password, this.runtime.decoyHash), false);
    } finally {
      if (user && ok) admission.attempt.succeeded();
      else admission.attempt.failed();
    }
    if (!user || !ok) {
      this.runtime.context.logger.warn({ address }, 'console: failed login');
      this.auditLogin({ user: loggedName(name || '?'), role: 'none', action: 'login.refused', target: 'password', outcome: 'refused', detail: user ? 'wrong password' : 'unknown user name' });
      reply.status(401).type(HTML_CONTENT_TYPE).send(this.render(request, reply, next, 'Wrong user name or password.', name));
      return;
    }
    // A new session id at every login (no fixation); the old one, if any, ends.
    this.runtime.sessions.destroy(readCookie(request, SESSION_COOKIE));
    const session = this.runtime.sessions.create(user.name, user.role);
    setCookie(reply, SESSION_COOKIE, session.id, { secure: this.runtime.settings.cookieSecure, maxAge: SESSION_ABSOLUTE_MS / 1000 });
    setCookie(reply, LOGIN_CSRF_COOKIE, '', { secure: this.runtime.settings.cookieSecure, maxAge: 0 });
    this.runtime.context.logger.info({ user: loggedName(user.name), role: user.role }, 'console: login');
    this.auditLogin({ user: user.name, role: user.role, action: 'login', target: 'password', outcome: 'ok', detail: 'password' });
    reply.status(303).header('location', next).send();
  }

  @Post('logout')
  @HttpCode(303)
  logout(@CurrentSession() session: ConsoleSession | undefined, @Res({ passthrough: true }) reply: FastifyReply): void {
    this.runtime.sessions.destroy(session?.id);
    setCookie(reply, SESSION_COOKIE, '', { secure: this.runtime.settings.cookieSecure, maxAge: 0 });
    reply.header('location', '/login');
  }

  /**
   * A login, or a refused one, on the audit trail (console.audit.v1, target kind `session`). Best effort: the console
   * stays usable while Kafka is down (what an operator then needs most), so a failed audit write is logged, not fatal.
   * A refused name is masked like in logs (it may be an email address typed by mistake).
   */
  private auditLogin(entry: { user: string; role: string; action: 'login' | 'login.refused'; target: string; outcome: 'ok' | 'refused'; detail: string }): void {
    this.runtime.audit
      .record({ ...entry, targetKind: 'session', targetIds: [] })
      .catch(() => this.runtime.context.logger.warn({ action: entry.action }, 'console: login audit record not written'));
  }

  private render(request: ConsoleRequest, reply: FastifyReply, next: string, error: string | null, name: string): string {
    // The pre-login CSRF token: kept if the browser has one, else a new one (double-submit, SameSite=Strict).
    const token = readCookie(request, LOGIN_CSRF_COOKIE) || randomBytes(32).toString('base64url');
    setCookie(reply, LOGIN_CSRF_COOKIE, token, { secure: this.runtime.settings.cookieSecure });
    const oidc = this.runtime.oidc;
    return layout(
      { title: 'Log in' },
      undefined,
      html`<form class="login" method="post" action="/login">
  ${error ? html`<p class="notice error" role="alert">${error}</p>` : ''}
  <input type="hidden" name="_csrf" value="${token}">
  <input type="hidden" name="next" value="${next}">
  <label for="username">User name</label>
  <input id="username" name="username" autocomplete="username" required autofocus value="${name}">
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit">Log in</button>
  ${oidc ? html`<p><a href="/login/oidc?next=${encodeURIComponent(next)}">Log in with single sign-on</a></p>` : ''}
</form>`,
    );
  }
}
