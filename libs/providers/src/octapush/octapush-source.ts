import type { SourceProfile } from '../source-profile';

/** Octapush calls back with GET (query string) or POST (docs/providers/octapush.md). */
export const OCTAPUSH_SOURCE = {
  kinds: ['sms', 'viber'],
  defaultMethods: ['GET', 'POST'],
  defaultMaxBodyBytes: null,
} as const satisfies SourceProfile;
