import { v7 as uuidv7 } from 'uuid';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { encodeRawWebhook, type ProviderName } from '@hookbus/contracts';
import { TEST_KAFKA_BROKERS } from './test-settings';

export interface RawRecordInput {
  readonly provider: ProviderName;
  readonly sourceId: string;
  readonly kind: string;
  readonly key: string;
  readonly body: string | Buffer;
  readonly method?: 'GET' | 'POST';
  readonly query?: string;
  readonly pathStatus?: string;
  readonly contentType?: string;
  readonly receivedAt?: string;
}

/** Produces raw webhook records as the gateway writes them, for tests of the stages behind it. */
export class RawRecordProducer {
  private constructor(private readonly producer: Producer) {}

  static async connect(): Promise<RawRecordProducer> {
    const producer = new Kafka({ clientId: 'hookbus-test-raw', brokers: TEST_KAFKA_BROKERS, logLevel: logLevel.NOTHING }).producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    return new RawRecordProducer(producer);
  }

  async send(input: RawRecordInput): Promise<string> {
    // Receipt ids are uuid v7, as the gateway mints them (the projector partitions receipts by them).
    const receiptId = uuidv7();
    const record = encodeRawWebhook({
      key: input.key,
      body: Buffer.isBuffer(input.body) ? input.body : Buffer.from(input.body),
      receiptId,
      receivedAt: input.receivedAt ?? new Date().toISOString(),
      sourceId: input.sourceId,
      provider: input.provider,
      kind: input.kind,
      method: input.method ?? 'POST',
      path: `/webhooks/${input.sourceId}${input.pathStatus ? `/${input.pathStatus}` : ''}`,
      query: input.query ?? '',
      contentType: input.contentType ?? 'application/json',
      pathStatus: input.pathStatus ?? null,
      requestHeaders: '{}',
    });
    await this.producer.send({ topic: record.topic, acks: -1, messages: [{ key: record.key, value: record.value, headers: record.headers }] });
    return receiptId;
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
  }
}
