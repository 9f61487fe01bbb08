import { InvalidRecordError, decodeReplayCommand, type ReplayCommand } from '@hookbus/contracts';
import type { SourceConfig } from '@hookbus/config';
import type { BatchEffects, BatchSink, ConsumedRecord, TransformedRecord, createKafka } from '@hookbus/kafka';
import type { Logger } from '@hookbus/platform';
import { replayRawRange } from './raw-replay';

/**
 * The normalizer's command consumer (group STAGES.normalizer.commands.group, topic normalizer.commands.v1): each
 * replay command runs replayRawRange, the code of `npm run replay`, and its events are published through the batch's
 * producer. What happens to a command:
 * - one the codec refuses (not JSON, not a replay, a field `npm run replay` would refuse): dead-lettered once, in
 *   transform (normalizer.invalid_command / unknown_command);
 * - one whose range cannot be replayed (a source not configured, a partition the topic does not have), or whose
 *   replay left records that still fail to normalize: dead-lettered once, in flush (an InvalidRecordError is about
 *   the record: the batch runner never retries it), after publishing the events of the records that did normalize;
 * - a broker that cannot be reached while reading the range or publishing: the kafkajs error is `unavailable`, so
 *   the batch is retried with backoff until the broker answers, and the offset is committed only after a whole replay.
 * Idempotent: a command delivered twice (a retry, a redrive of its dead letter, an operator who asks twice) replays
 * the range twice, which is harmless because event ids are deterministic and every consumer downstream deduplicates
 * by event id.
 */
export class ReplayCommandSink implements BatchSink<ReplayCommand> {
  readonly stage = 'normalizer';

  constructor(
    private readonly kafka: ReturnType<typeof createKafka>,
    private readonly sources: readonly SourceConfig[],
    private readonly log: Logger,
  ) {}

  transform(record: ConsumedRecord): ReplayCommand {
    return decodeReplayCommand(record);
  }

  async flush(items: ReadonlyArray<TransformedRecord<ReplayCommand>>, effects: BatchEffects): Promise<void> {
    for (const { value: command } of items) {
      const started = Date.now();
      const result = await replayRawRange(
        {
          provider: command.provider,
          sourceId: command.sourceId,
          from: command.from === undefined ? undefined : new Date(command.from),
          to: command.to === undefined ? undefined : new Date(command.to),
          partition: command.partition,
          fromOffset: command.fromOffset,
          toOffset: command.toOffset,
        },
        {
          kafka: this.kafka,
          sources: this.sources,
          publish: async (records) => {
            await effects.send(records);
          },
          refuse: (message) => new InvalidRecordError('normalizer.replay_refused', message),
          heartbeat: () => effects.heartbeat(),
        },
      );
      // Kafka did not take a batch: about the broker, not the command — the batch runner retries it (from the start of
      // the range: harmless, event ids are deterministic) while the error says the broker is unavailable.
      if (result.stopped) throw result.stopped.error;
      // Counts and ids only: the failing records' reasons may quote their content (`npm run replay --dry-run` prints them).
      this.log.info({ commandId: command.commandId, provider: command.provider, topic: result.topic, read: result.read, events: result.events, failed: result.failed, ms: Date.now() - started }, 'replay command done');
      if (result.failed > 0) {
        throw new InvalidRecordError('normalizer.replay_incomplete', `replay ${command.commandId}: ${result.failed} of ${result.read} raw records of ${result.topic} still fail to normalize (the others were published); npm run replay -- --dry-run lists them`);
      }
    }
  }
}
