import { randomUUID } from 'node:crypto';
import type { Kafka, Producer } from 'kafkajs';
import { CONSOLE_AUDIT_ACTIONS, InvalidRecordError, encodeConsoleAudit, encodeReplayCommand, errorFields, validReplayCommand, type ConsoleAuditAction, type ConsoleAuditRole, type ReplayCommand } from '@hookbus/contracts';
import {
  createDurableProducer,
  createKafka,
  isCredasId,
  producerSender,
  readDeadLetters,
  redriveDeadLetters,
  refetchCommand,
  refetchRecord,
  selectDeadLetters,
  type DeadLetterEntry,
  type OutgoingRecord,
} from '@hookbus/kafka';
import type { ServiceContext } from '@hookbus/platform';
import type { ConsoleSession } from './auth/sessions';
import type { ConsoleAudit, ConsoleAuditEntry } from './audit-entry';
import { maskText } from './personal-data-mask';

/** What a redrive did: the dead letters (row ids) sent back, and those named that were not waiting any more. */
export interface RedriveOutcome {
  readonly redriven: readonly string[];
  readonly notWaiting: readonly string[];
}

export interface RefetchOutcome {
  readonly processKey: string;
  readonly commandId: string;
}

/** The replay form's fields as posted ('' for an empty field). */
export interface ReplayRequest {
  readonly provider?: string;
  readonly sourceId?: string;
  readonly from?: string;
  readonly to?: string;
  readonly partition?: string;
  readonly fromOffset?: string;
  readonly toOffset?: string;
}

/** A refusal the page shows as it is (400): nothing was sent. */
export class ActionRefused extends Error {}

/** Where the dead letters come from and where records go: Kafka in the console, fakes in specs. */
export interface ActionPorts {
  readonly deadLetters: () => Promise<DeadLetterEntry[]>;
  readonly send: (records: readonly OutgoingRecord[]) => Promise<void>;
}

/** The audit record of an entry, through its codec (console.audit.v1). */
export function auditRecord(entry: ConsoleAuditEntry, now: Date, actionId: string = randomUUID()): OutgoingRecord {
  const action = (CONSOLE_AUDIT_ACTIONS as readonly string[]).includes(entry.action) ? (entry.action as ConsoleAuditAction) : null;
  if (action === null) throw new Error(`console audit: unknown action ${entry.action}`);
  const role: ConsoleAuditRole = entry.role === 'operator' || entry.role === 'viewer' ? entry.role : 'none';
  return encodeConsoleAudit({
    actionId,
    at: now.toISOString(),
    actor: entry.user,
    role,
    action,
    target: { kind: entry.targetKind ?? 'page', ids: entry.targetIds ?? [entry.target] },
    outcome: entry.outcome ?? 'ok',
    detail: entry.detail ?? '',
  });
}

/** `credas:{processId}` → the processId, when it is one the orchestrator may fetch (isCredasId). */
export function credasProcessId(processKey: string): string | null {
  const match = /^credas:(.+)$/.exec(processKey);
  return match && isCredasId(match[1]!) ? match[1]! : null;
}

/**
 * The console's actions, each through Kafka and audited on console.audit.v1 (the console never writes Postgres):
 * a redrive runs libs/kafka's shared redrive (what `npm run deadletters -- redrive` runs), a re-fetch its shared
 * command (what `npm run credas:refetch` sends). An action's audit record goes in the same acks=all batch as the
 * action's records, so a redrive that was written is audited `ok`; a failed one is audited `failed` afterwards (best
 * effort), a refused one (nothing matched, not a Credas process) `refused`.
 */
export class ConsoleActions {
  readonly audit: ConsoleAudit;

  constructor(
    private readonly ports: ActionPorts,
    private readonly log: { info(fields: Record<string, unknown>, message: string): void; warn(fields: Record<string, unknown>, message: string): void },
    private readonly now: () => Date = () => new Date(),
  ) {
    this.audit = {
      record: async (entry) => {
        await this.ports.send([auditRecord(entry, this.now())]);
        this.logged(entry);
      },
    };
  }

  /** Each audited action is also a log line, as loggingAudit writes it (the user name masked: it may be an email). */
  private logged(entry: ConsoleAuditEntry): void {
    const user = maskText(entry.user);
    this.log.info({ user, role: entry.role, action: entry.action, outcome: entry.outcome ?? 'ok' }, `console action ${entry.action} by ${user}`);
  }

  /** Sends the dead letters these hookbus.dead_letters rows hold back to their topics, if they are still waiting. */
  async redrive(session: ConsoleSession, rowIds: readonly string[]): Promise<RedriveOutcome> {
    const who = { user: session.user, role: session.role, action: 'redrive', targetKind: 'dead-letter' as const, targetIds: rowIds, target: rowIds.join(' ') };
    if (rowIds.length === 0) {
      await this.audit.record({ ...who, outcome: 'refused', detail: 'no dead letter chosen' });
      throw new ActionRefused('Choose at least one dead letter.');
    }
    const chosen = selectDeadLetters(await this.ports.deadLetters(), { rowIds });
    const redriven = chosen.map((e) => e.rowId!);
    const notWaiting = rowIds.filter((id) => !redriven.includes(id));
    if (chosen.length === 0) {
      await this.audit.record({ ...who, outcome: 'refused', detail: `none of the ${rowIds.length} dead letter(s) is waiting to be redriven` });
      throw new ActionRefused('None of these dead letters is waiting to be redriven (already redriven, or not on webhooks.deadletter any more).');
    }
    const detail = `${chosen.length} redriven to ${[...new Set(chosen.map((e) => e.origin.split('/')[0]))].join(', ')}${notWaiting.length > 0 ? `; ${notWaiting.length} not waiting` : ''}`;
    const audit = auditRecord({ ...who, targetIds: redriven, outcome: 'ok', detail }, this.now());
    try {
      await redriveDeadLetters((records) => this.ports.send([...records, audit]), chosen, this.now());
      this.logged({ ...who, outcome: 'ok' });
    } catch (error) {
      await this.recordFailure({ ...who, outcome: 'failed', detail: `redrive of ${chosen.length} failed: ${errorFields(error).code}` });
      throw error;
    }
    return { redriven, notWaiting };
  }

  /** Asks the orchestrator to retrieve a Credas process again (the command `npm run credas:refetch` sends). */
  async refetch(session: ConsoleSession, processKey: string): Promise<RefetchOutcome> {
    const who = { user: session.user, role: session.role, action: 'credas.refetch', targetKind: 'process' as const, targetIds: [processKey], target: processKey };
    const processId = credasProcessId(processKey);
    if (processId === null) {
      await this.audit.record({ ...who, outcome: 'refused', detail: 'not a Credas process key' });
      throw new ActionRefused('Only a Credas process (credas:{ProcessId}) can be fetched again.');
    }
    const command = refetchCommand(processId, null, this.now());
    const audit = auditRecord({ ...who, outcome: 'ok', detail: `command ${command.commandId}` }, this.now());
    try {
      await this.ports.send([refetchRecord(command), audit]);
      this.logged({ ...who, outcome: 'ok' });
    } catch (error) {
      await this.recordFailure({ ...who, outcome: 'failed', detail: `re-fetch failed: ${errorFields(error).code}` });
      throw error;
    }
    return { processKey, commandId: command.commandId };
  }

  /**
   * Asks the normalizer to replay a raw range (normalizer.commands.v1, the same replay as `npm run replay`), audited as
   * raw.replay in the same batch. The command is validated by its codec before anything is sent: what the codec (and
   * the CLI) refuses is refused here (400, audited `refused`). Whether the source and partition exist the normalizer
   * says: such a command becomes one dead letter.
   */
  async replay(session: ConsoleSession, request: ReplayRequest): Promise<ReplayCommand> {
    const blank = (value: string | undefined) => (value === undefined || value.trim() === '' ? undefined : value.trim());
    const time = (value: string | undefined) => {
      const text = blank(value);
      if (text === undefined) return undefined;
      const parsed = new Date(/[zZ]|[+-]\d\d:\d\d$/.test(text) ? text : `${text}Z`);
      return Number.isNaN(parsed.getTime()) ? text : parsed.toISOString();
    };
    const partition = blank(request.partition);
    const range = [blank(request.provider) ?? '', blank(request.sourceId), blank(request.from), blank(request.to), partition, blank(request.fromOffset), blank(request.toOffset)];
    const target = range.filter((part) => part !== undefined && part !== '').join(' ');
    const who = { user: session.user, role: session.role, action: 'raw.replay', targetKind: 'raw-range' as const, targetIds: [target || '?'], target: target || '?' };
    let command: ReplayCommand;
    try {
      command = validReplayCommand({
        type: 'replay',
        commandId: randomUUID(),
        provider: blank(request.provider),
        sourceId: blank(request.sourceId),
        from: time(request.from),
        to: time(request.to),
        partition: partition === undefined ? undefined : /^\d+$/.test(partition) ? Number(partition) : partition,
        fromOffset: blank(request.fromOffset),
        toOffset: blank(request.toOffset),
        requestedBy: session.user,
        requestedAt: this.now().toISOString(),
      });
    } catch (error) {
      if (!(error instanceof InvalidRecordError)) throw error;
      await this.audit.record({ ...who, outcome: 'refused', detail: error.message });
      throw new ActionRefused(`Nothing was replayed: ${error.message}.`);
    }
    const audit = auditRecord({ ...who, outcome: 'ok', detail: `command ${command.commandId}` }, this.now());
    try {
      await this.ports.send([encodeReplayCommand(command), audit]);
      this.logged({ ...who, outcome: 'ok' });
    } catch (error) {
      await this.recordFailure({ ...who, outcome: 'failed', detail: `replay request failed: ${errorFields(error).code}` });
      throw error;
    }
    return command;
  }

  private async recordFailure(entry: ConsoleAuditEntry): Promise<void> {
    await this.audit.record(entry).catch((error: unknown) => this.log.warn({ action: entry.action, err: errorFields(error) }, 'console audit record of a failed action not written'));
  }
}

/** The Kafka the console acts through: one durable producer, connected on first use and again after a failure. */
export class ConsoleKafka {
  private readonly kafka: Kafka;
  private producer: Promise<Producer> | null = null;

  constructor(context: ServiceContext) {
    this.kafka = createKafka({ brokers: context.env.kafkaBrokers, security: context.env.kafkaSecurity, clientId: 'hookbus-console', log: (_level, message, extra) => context.logger.debug(extra, message) });
  }

  readonly ports: ActionPorts = {
    deadLetters: () => readDeadLetters(this.kafka),
    send: async (records) => {
      const producer = await this.connected();
      try {
        await producerSender(producer)(records);
      } catch (error) {
        // A failed send goes out next time on a new idempotent producer session (as the stages' producers do).
        this.producer = null;
        await producer.disconnect().catch(() => undefined);
        throw error;
      }
    },
  };

  private connected(): Promise<Producer> {
    if (this.producer === null) {
      const producer = createDurableProducer(this.kafka);
      this.producer = producer.connect().then(
        () => producer,
        (error: unknown) => {
          this.producer = null;
          throw error;
        },
      );
    }
    return this.producer;
  }

  async close(): Promise<void> {
    const producer = await this.producer?.catch(() => null);
    this.producer = null;
    await producer?.disconnect();
  }
}
