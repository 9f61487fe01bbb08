import { requireRole } from '../auth/access';
import type { ConsoleSession } from '../auth/sessions';
import type { ConsoleRuntime } from '../console-runtime';
import { personalDataView, type PersonalDataView } from '../personal-data-mask';

/**
 * How a page renders personal data: masked, unless the request says `unmask=1` — only an operator may (a viewer gets
 * 403), and every unmasking is audited with what was looked at.
 */
export async function personalDataFor(runtime: ConsoleRuntime, session: ConsoleSession | undefined, unmask: string | undefined, target: string): Promise<PersonalDataView> {
  if (unmask !== '1') return personalDataView(true);
  const operator = requireRole(session, 'operator');
  await runtime.audit.record({ user: operator.user, role: operator.role, action: 'unmask', target });
  return personalDataView(false);
}
