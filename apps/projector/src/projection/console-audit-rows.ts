// The console's audit trail (console.audit.v1) → hookbus.console_audit rows. Part of record-projection.ts's projectRecord, split along its record families.
import { decodeConsoleAudit } from '@hookbus/contracts';
import type { ConsumedRecord } from '@hookbus/kafka';
import type { Projection } from '../projection-rows';

/** One action, one row; a record that breaks the schema throws InvalidRecordError (dead-lettered, projector.invalid_audit_record). */
export function consoleAuditProjection(record: ConsumedRecord): Projection {
  const audit = decodeConsoleAudit(record);
  return {
    consoleAudit: [
      {
        actionId: audit.actionId,
        at: new Date(audit.at).toISOString(),
        actor: audit.actor,
        role: audit.role,
        action: audit.action,
        targetKind: audit.target.kind,
        targetIds: audit.target.ids,
        outcome: audit.outcome,
        detail: audit.detail,
      },
    ],
  };
}
