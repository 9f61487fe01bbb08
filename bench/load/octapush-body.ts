import type { LoadSpec } from './load-spec';

const STATUSES = ['Submitted', 'Delivered'];

/**
 * The n-th request body of a load run: an Octapush SMS callback (~80 bytes of JSON). Phone numbers cycle through
 * `keySpace` numbers so the compacted state topics the bench fills stay bounded; each lap moves every number one
 * status on, so the tracker sees real transitions.
 */
export function octapushSmsBody(spec: Pick<LoadSpec, 'keyBase' | 'keySpace'>, n: number): string {
  const phone = `+3069${String(spec.keyBase + (n % spec.keySpace)).padStart(8, '0')}`;
  const status = STATUSES[Math.floor(n / spec.keySpace) % STATUSES.length];
  return `{"status":"${status}","phone":"${phone}","customId":"B-${n}"}`;
}
