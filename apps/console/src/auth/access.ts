import { timingSafeEqual } from 'node:crypto';
import { createParamDecorator, ForbiddenException, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ConsoleRole } from '@hookbus/config';
import type { ConsoleSession } from './sessions';

/**
 * Access rules every page gets from AccessGuard (access-guard.ts), registered once for the whole app:
 * - every route needs a session unless marked `@Public()`; a GET without one is sent to /login;
 * - `@RequireRole('operator')` on a route (or a controller): a viewer gets 403;
 * - every POST must come from this origin (Origin, else Referer) and, with a session, carry the session's CSRF
 *   token in the form field `_csrf` (`csrfField(session)` writes it): otherwise 403.
 */
export const SESSION_COOKIE = 'hookbus_console';
/** Before login: the double-submit token the login form carries (no session exists yet to hold one). */
export const LOGIN_CSRF_COOKIE = 'hookbus_console_login';
export const CSRF_FIELD = '_csrf';

const PUBLIC = 'console:public';
const ROLE = 'console:role';

export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC, true);
/** The least role a route needs: `@RequireRole('operator')` for actions and unmasking. */
export const RequireRole = (role: ConsoleRole): MethodDecorator & ClassDecorator => SetMetadata(ROLE, role);
export const ACCESS_METADATA = { PUBLIC, ROLE } as const;

export interface ConsoleRequest extends FastifyRequest {
  consoleSession?: ConsoleSession;
}

/** The logged-in session of the request (set by AccessGuard; absent only on @Public routes). */
export const CurrentSession = createParamDecorator((_data: unknown, ctx: ExecutionContext): ConsoleSession | undefined => {
  return ctx.switchToHttp().getRequest<ConsoleRequest>().consoleSession;
});

export function hasRole(session: ConsoleSession | undefined, role: ConsoleRole): boolean {
  return !!session && (role === 'viewer' || session.role === 'operator');
}

/** Throws 403 unless the session has the role: for checks inside a handler. */
export function requireRole(session: ConsoleSession | undefined, role: ConsoleRole): ConsoleSession {
  if (!session || !hasRole(session, role)) throw new ForbiddenException(`this needs the ${role} role`);
  return session;
}

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export interface CookieOptions {
  readonly secure: boolean;
  /** Seconds; 0 deletes the cookie; undefined: a session cookie. */
  readonly maxAge?: number;
}

export function setCookie(reply: FastifyReply, name: string, value: string, options: CookieOptions): void {
  const parts = [`${name}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Strict'];
  if (options.secure) parts.push('Secure');
  if (options.maxAge !== undefined) parts.push(`Max-Age=${options.maxAge}`);
  // Fastify appends each set-cookie header to those already set.
  reply.header('set-cookie', parts.join('; '));
}

export function sameToken(expected: string, given: unknown): boolean {
  if (typeof given !== 'string' || given.length === 0) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Whether a POST comes from a page of this console: its Origin (or, without one, its Referer's origin) is the
 * request's own origin or one of CONSOLE_ALLOWED_ORIGINS. A POST with neither header is refused.
 */
export function sameOrigin(request: FastifyRequest, allowed: readonly string[]): boolean {
  const origin = typeof request.headers.origin === 'string' ? request.headers.origin : refererOrigin(request.headers.referer);
  if (!origin || origin === 'null') return false;
  const host = request.headers.host;
  if (host && (origin === `http://${host}` || origin === `https://${host}`)) return true;
  return allowed.includes(origin);
}

function refererOrigin(referer: string | undefined): string | undefined {
  if (!referer) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return undefined;
  }
}
