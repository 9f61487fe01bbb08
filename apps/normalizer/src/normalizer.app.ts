import { STAGES, Topics } from '@hookbus/contracts';
import { startConsumingService, type RunningService } from '@hookbus/nest-kafka';
import type { ServiceContext } from '@hookbus/platform';
import { NormalizationSink, NORMALIZER_GROUP } from './normalization.sink';
import { NormalizerModule } from './normalizer.module';

/** Its inputs, from the stage table (libs/contracts/src/stages.ts): every raw topic. */
export const NORMALIZER_TOPICS: readonly string[] = STAGES.normalizer.inputs;

/** Consumes every raw topic and publishes canonical events to events.communications/processes/checks. */
export function startNormalizer(context: ServiceContext, options: { port?: number; groupId?: string } = {}): Promise<RunningService> {
  return startConsumingService({
    context,
    module: NormalizerModule.forContext(context),
    sink: () => new NormalizationSink(context.config.sources),
    consumer: {
      groupId: options.groupId ?? NORMALIZER_GROUP,
      topics: NORMALIZER_TOPICS,
      partitionsConsumedConcurrently: 6,
    },
    port: options.port ?? context.env.servicePorts.normalizer,
  });
}

/** The event topics it publishes (the stage table's outputs without the dead-letter topic). */
export const NORMALIZER_OUTPUTS = STAGES.normalizer.outputs.filter((topic) => topic !== Topics.deadLetter.name);
