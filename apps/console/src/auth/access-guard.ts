import { ForbiddenException, Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ConsoleRole } from '@hookbus/config';
import { HealthController } from '@hookbus/platform';
import { CONSOLE_RUNTIME, type ConsoleRuntime } from '../console-runtime';
import { ACCESS_METADATA, CSRF_FIELD, LOGIN_CSRF_COOKIE, SESSION_COOKIE, hasRole, readCookie, sameOrigin, sameToken, type ConsoleRequest } from './access';

/** No session on a page that needs one: a GET goes to /login (console-errors.ts), anything else is 401. */
export class LoginRequired extends Error {
  constructor(readonly next: string | null) {
    super('login required');
  }
}

/** The one guard of the console (registered as APP_GUARD): sessions, roles, origin and CSRF for every route. */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(CONSOLE_RUNTIME) private readonly runtime: ConsoleRuntime,
  ) {}

  canActivate(ctx: ExecutionContext): boolean {
    // /health/live, /health/ready and /metrics (libs/platform) answer probes and Prometheus without a session.
    if (ctx.getClass() === HealthController) return true;
    const request = ctx.switchToHttp().getRequest<ConsoleRequest>();
    const targets = [ctx.getHandler(), ctx.getClass()];
    const isPublic = this.reflector.getAllAndOverride<boolean>(ACCESS_METADATA.PUBLIC, targets) ?? false;
    const role = this.reflector.getAllAndOverride<ConsoleRole>(ACCESS_METADATA.ROLE, targets) ?? 'viewer';
    const session = this.runtime.sessions.touch(readCookie(request, SESSION_COOKIE));
    if (session) request.consoleSession = session;
    const post = request.method !== 'GET' && request.method !== 'HEAD';
    if (post && !sameOrigin(request, this.runtime.settings.allowedOrigins)) throw new ForbiddenException('cross-origin request refused');
    if (isPublic) {
      // The login form has no session yet: its token is a double-submit cookie (SameSite=Strict) matched by the field.
      if (post) {
        const cookie = readCookie(request, LOGIN_CSRF_COOKIE);
        if (!cookie || !sameToken(cookie, formField(request.body, CSRF_FIELD))) throw new ForbiddenException('missing or wrong CSRF token: reload the page');
      }
      return true;
    }
    if (!session) throw new LoginRequired(request.method === 'GET' ? request.url : null);
    if (post && !sameToken(session.csrfToken, formField(request.body, CSRF_FIELD))) throw new ForbiddenException('missing or wrong CSRF token: reload the page');
    if (!hasRole(session, role)) throw new ForbiddenException(`this needs the ${role} role`);
    return true;
  }
}

export function formField(body: unknown, name: string): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}
