/**
 * The pipeline, declared once: which stage reads which topics under which consumer group, and what it writes.
 * Every app subscribes from this table, and the bench, the docs generator (docs/topics.md) and the lag monitor
 * (`npm run lag`, apps/monitor) read it. stages.spec.ts checks it against itself and against the topic declaration.
 */
import { InternalTopics, PROVIDERS, Topics, TRACKER_HINTS_TOPIC } from './topics';

export interface StageDeclaration {
  /** The app that runs the stage (apps/<name>). */
  readonly name: string;
  /** Its consumer group; null for a stage that consumes nothing (the gateway reads HTTP). */
  readonly group: string | null;
  /** The topics its consumer group reads, in subscription order. */
  readonly inputs: readonly string[];
  /** The topics it writes. */
  readonly outputs: readonly string[];
  /**
   * Whether a batch's outputs and its consumer offsets commit in one Kafka transaction (exactly once on Kafka).
   * Otherwise outputs are written (idempotent producer) before the offsets are committed: at least once.
   */
  readonly transactional: boolean;
  /**
   * A command topic the stage's app reads under a consumer group of its own (not in `group`: a long command, such as
   * a replay of a raw range, must not hold up the stage's partitions). Its outputs are among `outputs`.
   */
  readonly commands?: { readonly group: string; readonly topic: string };
}

const RAW_TOPICS: readonly string[] = PROVIDERS.map((provider) => Topics.raw[provider].name);

function internal(name: string): string {
  if (!InternalTopics.some((topic) => topic.name === name)) throw new Error(`stages.ts: ${name} is not an internal topic`);
  return name;
}

/** The orchestrator's retry lanes (apps/orchestrator/src/retry-schedule.ts): each has its own consumer, group `{group}-retry-{lane}`. */
export const ORCHESTRATOR_RETRY_TOPICS: readonly string[] = ['10s', '2m', '15m'].map((lane) => internal(`orchestrator.credas.retry-${lane}.v1`));
/** Operator commands (`npm run refetch`), written from outside the pipeline. */
export const ORCHESTRATOR_COMMANDS_TOPIC = internal('orchestrator.credas.commands.v1');
/** The orchestrator's memory, read back without a consumer group (apps/orchestrator/src/orchestrator-memory.ts). */
export const ORCHESTRATOR_RETRIEVALS_TOPIC = internal('orchestrator.credas.retrievals.v1');

/** Replay commands to the normalizer (the console's /replay), read by its own group (STAGES.normalizer.commands). */
export const NORMALIZER_COMMANDS_TOPIC = internal('normalizer.commands.v1');

/** The console's audit trail (apps/console): every action and login, projected into hookbus.console_audit. */
export const CONSOLE_AUDIT_TOPIC = Topics.consoleAudit.name;

/**
 * Topics written from outside every stage: an operator's CLI, and the console (which consumes nothing: it reads
 * the read model and the monitor, and writes commands, redrives and its audit trail).
 */
export const EXTERNAL_INPUTS: readonly string[] = [ORCHESTRATOR_COMMANDS_TOPIC, NORMALIZER_COMMANDS_TOPIC, CONSOLE_AUDIT_TOPIC];

/**
 * In pipeline order: a stage reads only what an earlier stage (or itself, or the outside: EXTERNAL_INPUTS) writes.
 * Every consuming stage can write webhooks.deadletter (libs/kafka's batch runner dead-letters a record it cannot
 * process).
 */
export const STAGES = {
  gateway: {
    name: 'gateway',
    group: null,
    inputs: [],
    outputs: [...RAW_TOPICS, Topics.quarantine.name],
    transactional: false,
  },
  normalizer: {
    name: 'normalizer',
    group: 'hookbus-normalizer',
    inputs: RAW_TOPICS,
    outputs: [Topics.communications.name, Topics.processes.name, Topics.checks.name, Topics.deadLetter.name],
    transactional: false,
    commands: { group: 'hookbus-normalizer-commands', topic: NORMALIZER_COMMANDS_TOPIC },
  },
  tracker: {
    name: 'tracker',
    group: 'hookbus-tracker',
    inputs: [Topics.communications.name, Topics.processes.name, TRACKER_HINTS_TOPIC],
    outputs: [Topics.communicationState.name, Topics.processState.name, Topics.transitions.name, TRACKER_HINTS_TOPIC, Topics.deadLetter.name],
    transactional: true,
  },
  orchestrator: {
    name: 'orchestrator',
    group: 'hookbus-orchestrator',
    inputs: [Topics.processes.name, Topics.checks.name, ORCHESTRATOR_COMMANDS_TOPIC],
    outputs: [Topics.results.name, ...ORCHESTRATOR_RETRY_TOPICS, ORCHESTRATOR_RETRIEVALS_TOPIC, Topics.deadLetter.name],
    transactional: false,
  },
  projector: {
    name: 'projector',
    group: 'hookbus-projector',
    // Every topic of the contract, into Postgres (schema hookbus).
    inputs: [
      ...RAW_TOPICS,
      Topics.quarantine.name,
      Topics.communications.name,
      Topics.processes.name,
      Topics.checks.name,
      Topics.transitions.name,
      Topics.results.name,
      Topics.communicationState.name,
      Topics.processState.name,
      Topics.deadLetter.name,
      CONSOLE_AUDIT_TOPIC,
    ],
    outputs: [Topics.deadLetter.name],
    transactional: false,
  },
} as const satisfies Record<string, StageDeclaration>;

/** The group a retry lane's consumer reads its lane under: `{orchestrator group}-retry-{lane}` (apps/orchestrator). */
export function orchestratorRetryGroup(orchestratorGroup: string, lane: string): string {
  return `${orchestratorGroup}-retry-${lane}`;
}

/**
 * The retry lanes with their topics and groups: the Credas retrieval backlog. Not in the stage table's groups (the
 * lag alerts would take a lane that holds records until they are due for a stalled consumer); the monitor samples
 * them apart for the console's overview (apps/monitor GET /overview, `credasBacklog`).
 */
export const ORCHESTRATOR_RETRY_LANES: ReadonlyArray<{ readonly lane: string; readonly topic: string; readonly group: string }> = ORCHESTRATOR_RETRY_TOPICS.map((topic) => {
  const lane = /^orchestrator\.credas\.retry-([0-9a-z]+)\.v1$/.exec(topic)![1]!;
  return { lane, topic, group: orchestratorRetryGroup(STAGES.orchestrator.group, lane) };
});

export type StageName = keyof typeof STAGES;
/** A stage that consumes: it has a consumer group. */
export type ConsumingStageName = { [K in StageName]: (typeof STAGES)[K]['group'] extends string ? K : never }[StageName];

export function stageList(): StageDeclaration[] {
  return Object.values(STAGES);
}

/** The stages that consume, in pipeline order. */
export function consumingStages(): Array<StageDeclaration & { readonly group: string }> {
  return stageList().filter((stage): stage is StageDeclaration & { readonly group: string } => stage.group !== null);
}

/** The stages reading a topic, by name. */
export function readersOf(topic: string): string[] {
  return stageList()
    .filter((stage) => stage.inputs.includes(topic) || stage.commands?.topic === topic)
    .map((stage) => stage.name);
}
