import { randomBytes } from 'node:crypto';
import type { ConsoleRole } from '@hookbus/config';

export interface ConsoleSession {
  readonly id: string;
  readonly user: string;
  readonly role: ConsoleRole;
  /** The token every form of this session carries (`_csrf`), checked on each POST. */
  readonly csrfToken: string;
  readonly createdAt: number;
  lastSeenAt: number;
  /** An operator asked to see personal data (POST /unmask): shown until then (ms since the epoch); 0: masked. */
  unmaskedUntil: number;
}

export const SESSION_IDLE_MS = 30 * 60 * 1000;
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60 * 1000;

const token = (): string => randomBytes(32).toString('base64url');

/**
 * Sessions in this process's memory: a console restart logs everyone out (one replica; nothing to share). A session
 * ends after 30 idle minutes or 12 hours, whichever comes first; each login gets a new id (no fixation).
 */
export class SessionStore {
  private readonly sessions = new Map<string, ConsoleSession>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly idleMs = SESSION_IDLE_MS,
    private readonly absoluteMs = SESSION_ABSOLUTE_MS,
  ) {}

  create(user: string, role: ConsoleRole): ConsoleSession {
    this.sweep();
    const at = this.now();
    const session: ConsoleSession = { id: token(), user, role, csrfToken: token(), createdAt: at, lastSeenAt: at, unmaskedUntil: 0 };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session with this id (its idle clock restarted), or null. */
  touch(id: string | undefined): ConsoleSession | null {
    if (!id) return null;
    const session = this.sessions.get(id);
    if (!session) return null;
    const at = this.now();
    if (at - session.lastSeenAt > this.idleMs || at - session.createdAt > this.absoluteMs) {
      this.sessions.delete(id);
      return null;
    }
    session.lastSeenAt = at;
    return session;
  }

  destroy(id: string | undefined): void {
    if (id) this.sessions.delete(id);
  }

  get size(): number {
    return this.sessions.size;
  }

  private sweep(): void {
    const at = this.now();
    for (const [id, s] of this.sessions) if (at - s.lastSeenAt > this.idleMs || at - s.createdAt > this.absoluteMs) this.sessions.delete(id);
  }
}
