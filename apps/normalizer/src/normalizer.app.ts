import { STAGES, Topics } from '@hookbus/contracts';
import { createKafka } from '@hookbus/kafka';
import { KafkaBatchTransport, type RunningService } from '@hookbus/nest-kafka';
import { consumerMetrics, createServiceApp, kafkaLogging, listen, READINESS_CHECKS, type ReadinessChecks, type ServiceContext } from '@hookbus/platform';
import { NormalizationSink, NORMALIZER_GROUP } from './normalization.sink';
import { NormalizerModule } from './normalizer.module';
import { ReplayCommandSink } from './replay-command.sink';

/** Its inputs, from the stage table (libs/contracts/src/stages.ts): every raw topic. */
export const NORMALIZER_TOPICS: readonly string[] = STAGES.normalizer.inputs;
/** Replay commands (the console's /replay), read under a group of their own so a long replay holds up no raw partition. */
export const NORMALIZER_COMMANDS = STAGES.normalizer.commands;

export interface NormalizerOptions {
  readonly port?: number;
  readonly groupId?: string;
  /** The command consumer's group: by default the stage table's, or `{groupId}-commands` when groupId is given. */
  readonly commandsGroupId?: string;
}

/**
 * Consumes every raw topic and publishes canonical events to events.communications/processes/checks; and replays
 * raw ranges on command (normalizer.commands.v1, replay-command.sink.ts), publishing their events again.
 */
export async function startNormalizer(context: ServiceContext, options: NormalizerOptions = {}): Promise<RunningService> {
  const app = await createServiceApp(context, NormalizerModule.forContext(context));
  const kafka = createKafka({ brokers: context.env.kafkaBrokers, security: context.env.kafkaSecurity, clientId: `hookbus-${context.name}`, ...kafkaLogging(context) });
  const observer = consumerMetrics(context.metrics);
  const raw = new KafkaBatchTransport(kafka, new NormalizationSink(context.config.sources), {
    sessionTimeoutMs: context.env.kafkaSessionTimeoutMs,
    groupId: options.groupId ?? NORMALIZER_GROUP,
    topics: NORMALIZER_TOPICS,
    partitionsConsumedConcurrently: 6,
  }, context.logger, observer);
  const commands = new KafkaBatchTransport(kafka, new ReplayCommandSink(kafka, context.config.sources, context.logger), {
    sessionTimeoutMs: context.env.kafkaSessionTimeoutMs,
    groupId: options.commandsGroupId ?? (options.groupId ? `${options.groupId}-commands` : NORMALIZER_COMMANDS.group),
    topics: [NORMALIZER_COMMANDS.topic],
    partitionsConsumedConcurrently: 1,
  }, context.logger, observer);
  // Not ready once kafkajs has stopped either consumer for good (the process is stopping then too: see the transport).
  const checks = app.get<typeof READINESS_CHECKS, ReadinessChecks>(READINESS_CHECKS);
  checks.set('consumer', raw.readinessCheck);
  checks.set('consumer-commands', commands.readinessCheck);
  for (const strategy of [raw, commands]) app.connectMicroservice({ strategy }, { inheritAppConfig: true });
  await app.init();
  await app.startAllMicroservices();
  const url = await listen(app, options.port ?? context.env.servicePorts.normalizer, context);
  return {
    app,
    url,
    close: async () => {
      await app.close();
    },
  };
}

/** The event topics it publishes (the stage table's outputs without the dead-letter topic). */
export const NORMALIZER_OUTPUTS = STAGES.normalizer.outputs.filter((topic) => topic !== Topics.deadLetter.name);
