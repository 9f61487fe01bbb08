import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { toConsumedRecord, type ConsumedRecord } from '../../libs/kafka/src/records';
import { waitFor } from './wait-for';
import { TEST_KAFKA_BROKERS } from './test-settings';

/**
 * Reads topics from the beginning with a throwaway consumer group (read committed) and keeps every record, so a
 * test can wait for the records it caused — matched by its own unique ids — whatever ran before it.
 */
export class TopicObserver {
  readonly records: ConsumedRecord[] = [];
  private consumer: Consumer | null = null;

  /** `brokers`: a suite that runs its own broker (fault, hostile) names it; the test broker otherwise. */
  static async start(topics: readonly string[], brokers: readonly string[] = TEST_KAFKA_BROKERS): Promise<TopicObserver> {
    const observer = new TopicObserver();
    await observer.run(topics, brokers);
    return observer;
  }

  private async run(topics: readonly string[], brokers: readonly string[]): Promise<void> {
    const kafka = new Kafka({ clientId: 'hookbus-test-observer', brokers: [...brokers], logLevel: logLevel.NOTHING });
    this.consumer = kafka.consumer({ groupId: `test-observer-${randomUUID()}`, readUncommitted: false });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        this.records.push(toConsumedRecord(topic, partition, message));
      },
    });
  }

  matching(predicate: (record: ConsumedRecord) => boolean): ConsumedRecord[] {
    return this.records.filter(predicate);
  }

  /** Waits until at least `count` records match, then returns them. */
  async waitForRecords(predicate: (record: ConsumedRecord) => boolean, count = 1, timeoutMs = 30_000): Promise<ConsumedRecord[]> {
    return waitFor(
      () => {
        const found = this.matching(predicate);
        return found.length >= count ? found : undefined;
      },
      { timeoutMs, what: `${count} matching record(s)` },
    );
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

export function valueJson<T = Record<string, unknown>>(record: ConsumedRecord): T {
  return JSON.parse(record.value!.toString('utf8')) as T;
}
