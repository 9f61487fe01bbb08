/**
 * The rows one consumed record becomes, table by table (contract §5). Plain values: `transform` builds them
 * without touching Postgres, `flush` writes a whole batch of them in one transaction.
 */
export interface ReceiptRow {
  readonly receiptId: string;
  /** uuid v7 time of the receipt id: the partition it lands in. */
  readonly partitionMs: number;
  readonly receivedAt: string;
  readonly sourceId: string;
  readonly provider: string;
  readonly kind: string | null;
  readonly entityKey: string | null;
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly pathStatus: string | null;
  readonly headers: string;
  readonly contentType: string | null;
  readonly body: Buffer;
  readonly quarantined: boolean;
  readonly refusedStatus: number | null;
  readonly refusedReason: string | null;
  readonly bodyTruncated: boolean;
}

export interface EventRow {
  readonly eventId: string;
  /** Arrival time (the receipt's uuid v7 time, else the record timestamp): the partition it lands in. */
  readonly receivedAtMs: number;
  readonly topic: string;
  readonly type: string;
  readonly source: string;
  readonly subject: string;
  readonly time: string;
  readonly provider: string | null;
  readonly receiptId: string | null;
  readonly processKey: string | null;
  readonly processId: string | null;
  readonly entityId: string | null;
  readonly data: string;
}

export interface CommunicationRow {
  readonly communicationId: string;
  readonly provider: string;
  readonly channel: string;
  readonly status: string;
  readonly providerStatus: string;
  readonly final: boolean;
  readonly processKey: string | null;
  readonly processId: string | null;
  readonly entityId: string | null;
  readonly continuedAs: string | null;
  readonly statusEventId: string | null;
  readonly seq: number;
  readonly updatedAt: string;
  readonly updatedAtMs: number;
  readonly state: string;
  readonly stateOffset: string;
}

export interface ProcessRow {
  readonly processKey: string;
  readonly provider: string;
  readonly processId: string;
  readonly status: string;
  readonly providerStatus: string;
  readonly final: boolean;
  readonly version: number | null;
  readonly statusReason: string | null;
  readonly entityId: string | null;
  readonly entityIds: string;
  readonly closedAt: string | null;
  readonly expiresAt: string | null;
  readonly statusEventId: string | null;
  readonly seq: number;
  readonly updatedAt: string;
  readonly updatedAtMs: number;
  readonly state: string;
  readonly stateOffset: string;
}

/**
 * Column `kind` of the transition tables: a change of status, or an overdue notice about the current one (same seq
 * as the transition it comments on, from = to; libs/tracking/src/overdue.ts). Part of the primary key.
 */
export type TransitionEntry = 'transition' | 'overdue';

export interface TransitionRow {
  readonly kind: 'communication' | 'process';
  readonly key: string;
  readonly seq: number;
  readonly entry: TransitionEntry;
  readonly provider: string;
  readonly fromStatus: string | null;
  readonly toStatus: string;
  readonly final: boolean;
  readonly requiresAction: boolean;
  readonly reason: string | null;
  readonly causedBy: string | null;
  readonly eventId: string;
  readonly at: string;
}

export interface CredasResultRow {
  readonly processId: string;
  readonly processKey: string;
  readonly entityId: string | null;
  readonly details: string | null;
  readonly activeChecks: string | null;
  readonly reportPdf: Buffer | null;
  readonly reportRef: string | null;
  readonly reportSha256: string | null;
  readonly reportBytes: number | null;
  readonly retrievedAt: string;
  readonly retrievedAtMs: number;
  readonly eventId: string;
}

export interface DeadLetterRow {
  readonly id: string;
  readonly stage: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly errorCode: string | null;
  readonly error: string;
  readonly attempts: number;
  readonly payload: Buffer | null;
  readonly headers: string;
  readonly failedAt: string;
}

/** An operator sent a dead letter back (npm run deadletters -- redrive): its row gets redriven_at. */
export interface RedriveRow {
  readonly id: string;
  readonly redrivenAt: string;
}

/** One console action (console.audit.v1) → one hookbus.console_audit row, keyed by its actionId. */
export interface ConsoleAuditRow {
  readonly actionId: string;
  readonly at: string;
  readonly actor: string;
  readonly role: string;
  readonly action: string;
  readonly targetKind: string;
  readonly targetIds: readonly string[];
  readonly outcome: string;
  readonly detail: string;
}

/** Everything one record contributes; most records fill one or two of these. */
export interface Projection {
  receipts?: ReceiptRow[];
  events?: EventRow[];
  communications?: CommunicationRow[];
  processes?: ProcessRow[];
  transitions?: TransitionRow[];
  credasResults?: CredasResultRow[];
  deadLetters?: DeadLetterRow[];
  redrives?: RedriveRow[];
  consoleAudit?: ConsoleAuditRow[];
}

export type ProjectionTable = keyof Projection;
