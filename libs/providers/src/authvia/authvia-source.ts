import type { SourceProfile } from '../source-profile';

export const AUTHVIA_SOURCE = {
  kinds: ['business-process', 'business-process-action'],
  defaultMethods: ['POST'],
  defaultMaxBodyBytes: null,
} as const satisfies SourceProfile;
