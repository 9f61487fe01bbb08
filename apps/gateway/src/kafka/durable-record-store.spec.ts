import { EventEmitter } from 'node:events';
import type { Producer, ProducerBatch, RecordMetadata } from 'kafkajs';
import type { OutgoingRecord } from '@hookbus/kafka';
import { DEFAULT_STORE_OPTIONS, DurableRecordStore } from './durable-record-store';

/** A connected producer whose batches wait until the test settles them: a broker in the middle of an outage. */
class HeldProducer extends EventEmitter {
  readonly events = { CONNECT: 'connect', DISCONNECT: 'disconnect' };
  readonly sent: string[] = [];
  private readonly pending: Array<(metadata: RecordMetadata[]) => void> = [];

  async connect(): Promise<void> {
    this.emit(this.events.CONNECT);
  }

  async disconnect(): Promise<void> {
    this.emit(this.events.DISCONNECT);
  }

  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    this.sent.push(...(batch.topicMessages ?? []).flatMap((t) => t.messages.map((m) => String(m.value))));
    return new Promise((resolve) => this.pending.push(resolve));
  }

  recover(): void {
    this.pending.shift()?.([]);
  }

  get waiting(): number {
    return this.pending.length;
  }
}

const record = (value: string): OutgoingRecord => ({ topic: 'webhooks.raw.credas', key: 'entity-1', value: Buffer.from(value), headers: { 'hookbus-request-headers': '{}' } });

async function until(condition: () => boolean, what = 'the producer to hold a batch'): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function storeOn(producer: HeldProducer, options: Partial<typeof DEFAULT_STORE_OPTIONS> = {}): DurableRecordStore {
  return new DurableRecordStore(producer as unknown as Producer, { ...DEFAULT_STORE_OPTIONS, lingerMs: 1, produceTimeoutMs: 20, ...options });
}

it('a record answered 503 for a timeout while still queued is never written after the broker recovers', async () => {
  const producer = new HeldProducer();
  // Long enough that the first record is always sent (held) before its own timeout, even on a loaded machine (with
  // 20 ms it could time out still queued, never reach the producer, and leave the wait below with nothing to see).
  const store = storeOn(producer, { produceTimeoutMs: 1_000 });
  const stuck = expect(store.store(record('in-flight'))).rejects.toMatchObject({ code: 'produce_timeout' });
  await until(() => producer.waiting === 1);
  await expect(store.store(record('answered-503'))).rejects.toMatchObject({ code: 'produce_timeout', retriable: true });
  await stuck;
  producer.recover();
  const after = store.store(record('after-recovery'));
  await until(() => producer.waiting === 1);
  producer.recover();
  await after;
  expect(producer.sent).toEqual(['in-flight', 'after-recovery']);
});

it('refuses at once, without waiting for the timeout, when the queued bytes are over the bound', async () => {
  const producer = new HeldProducer();
  const store = storeOn(producer, { produceTimeoutMs: 60_000, maxQueuedBytes: 1000 });
  void store.store(record('in-flight')).catch(() => undefined);
  await until(() => producer.waiting === 1);
  void store.store(record('x'.repeat(900))).catch(() => undefined);
  await expect(store.store(record('y'.repeat(900)))).rejects.toMatchObject({ code: 'producer_queue_full', retriable: true });
  producer.recover();
  await until(() => producer.waiting === 1);
  producer.recover();
});

it('withdraws a queued record when the caller hands the write over (the spool took it)', async () => {
  const producer = new HeldProducer();
  const store = storeOn(producer, { produceTimeoutMs: 60_000 });
  const inFlight = store.store(record('in-flight'));
  await until(() => producer.waiting === 1);
  const handedOver = new AbortController();
  const write = store.store(record('spooled'), handedOver.signal);
  handedOver.abort();
  await expect(write).rejects.toMatchObject({ code: 'produce_withdrawn' });
  producer.recover();
  await inFlight;
  expect(producer.sent).toEqual(['in-flight']);
});
