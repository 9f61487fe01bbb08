import type { SourceProfile } from '../source-profile';

export const CELLOSIGN_SOURCE = {
  kinds: ['workflow'],
  defaultMethods: ['POST'],
  /** WHP_ARCHIVE bodies carry the signed PDF and attachments as base64. */
  defaultMaxBodyBytes: 16 * 1024 * 1024,
} as const satisfies SourceProfile;
