import type { Producer, ProducerBatch, RecordMetadata } from 'kafkajs';
import { TransientError } from '@hookbus/contracts';
import { CoalescingProducer } from './coalescing-producer';
import { RenewableIdempotentProducer } from './renewable-producer';
import { recordBytes, type OutgoingRecord } from './records';

/** A producer whose every `sendBatch` waits until the test settles it: a broker that is slow or away. */
class HeldProducer {
  readonly batches: string[][] = [];
  private readonly pending: Array<{ resolve(metadata: RecordMetadata[]): void; reject(error: unknown): void }> = [];

  async connect(): Promise<void> {}

  async disconnect(): Promise<void> {}

  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    this.batches.push((batch.topicMessages ?? []).flatMap((t) => t.messages.map((m) => String(m.value))));
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  }

  acknowledge(): void {
    this.pending.shift()!.resolve([]);
  }

  fail(error: unknown): void {
    this.pending.shift()!.reject(error);
  }

  get waiting(): number {
    return this.pending.length;
  }
}

const record = (value: string, headers?: Record<string, string>): OutgoingRecord => ({ topic: 'webhooks.raw.credas', key: 'entity-1', value: Buffer.from(value), headers });
const options = { lingerMs: 1, maxBatchRecords: 100, maxBatchBytes: 1024 * 1024 };

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

function coalescing(held: HeldProducer, extra: { maxQueuedBytes?: number; maxBatchBytes?: number } = {}): CoalescingProducer {
  // The same producer object for every session: these cases are about batching, renewal has its own spec.
  return new CoalescingProducer(new RenewableIdempotentProducer(() => held as unknown as Producer), { ...options, ...extra });
}

describe('withdrawing a record whose caller gave up', () => {
  it('a record still queued behind the batch in flight is withdrawn when its signal aborts, and never sent', async () => {
    const held = new HeldProducer();
    const producer = coalescing(held);
    const first = producer.send(record('in-flight'));
    await until(() => held.waiting === 1);
    const gaveUp = new AbortController();
    const timedOut = producer.send(record('answered-503'), gaveUp.signal);
    const kept = producer.send(record('still-waiting'));
    gaveUp.abort();
    await expect(timedOut).rejects.toMatchObject({ code: 'kafka.produce_withdrawn', retriable: true });
    expect(producer.queuedByteCount).toBe(recordBytes(record('still-waiting')));
    held.acknowledge();
    await first;
    await until(() => held.waiting === 1);
    held.acknowledge();
    await kept;
    expect(held.batches).toEqual([['in-flight'], ['still-waiting']]);
  });

  it('an abort after the record went out changes nothing: the batch decides', async () => {
    const held = new HeldProducer();
    const producer = coalescing(held);
    const gaveUp = new AbortController();
    const sent = producer.send(record('a'), gaveUp.signal);
    await until(() => held.waiting === 1);
    gaveUp.abort();
    held.acknowledge();
    await expect(sent).resolves.toBeUndefined();
  });

  it('a signal that has already aborted is refused without queueing', async () => {
    const held = new HeldProducer();
    const producer = coalescing(held);
    await expect(producer.send(record('a'), AbortSignal.abort())).rejects.toBeInstanceOf(TransientError);
    expect(producer.queuedByteCount).toBe(0);
    expect(held.batches).toEqual([]);
  });

  it('a failed batch rejects its records and leaves the withdrawn ones out of the next', async () => {
    const held = new HeldProducer();
    const producer = coalescing(held);
    const first = producer.send(record('a'));
    await until(() => held.waiting === 1);
    const gaveUp = new AbortController();
    const withdrawnRecord = producer.send(record('b'), gaveUp.signal);
    const next = producer.send(record('c'));
    gaveUp.abort();
    held.fail(new Error('broker away'));
    await expect(first).rejects.toThrow('broker away');
    await expect(withdrawnRecord).rejects.toMatchObject({ code: 'kafka.produce_withdrawn' });
    await until(() => held.waiting === 1);
    held.acknowledge();
    await next;
    expect(held.batches).toEqual([['a'], ['c']]);
  });
});

describe('submit: a record its caller withdraws itself (the gateway, no AbortSignal per request)', () => {
  it('withdrawn while queued: its outcome is kafka.produce_withdrawn, it is never sent, and its bytes are freed', async () => {
    const held = new HeldProducer();
    const producer = coalescing(held);
    const first = producer.submit(record('in-flight'));
    await until(() => held.waiting === 1);
    const timedOut = producer.submit(record('answered-503'));
    const kept = producer.submit(record('still-waiting'));
    timedOut.withdraw(new Error('produce timeout'));
    await expect(timedOut.settled).rejects.toMatchObject({ code: 'kafka.produce_withdrawn', retriable: true, cause: new Error('produce timeout') });
    expect(producer.queuedByteCount).toBe(recordBytes(record('still-waiting')));
    held.acknowledge();
    await first.settled;
    await until(() => held.waiting === 1);
    held.acknowledge();
    await kept.settled;
    expect(held.batches).toEqual([['in-flight'], ['still-waiting']]);
  });

  it('withdrawn once in flight: nothing changes, the batch decides', async () => {
    const held = new HeldProducer();
    const producer = coalescing(held);
    const sent = producer.submit(record('a'));
    await until(() => held.waiting === 1);
    sent.withdraw();
    held.acknowledge();
    await expect(sent.settled).resolves.toBeUndefined();
    expect(producer.queuedByteCount).toBe(0);
  });

  it('over the bound on queued bytes: refused at once, and withdrawing it is harmless', async () => {
    const held = new HeldProducer();
    const size = recordBytes(record('x'.repeat(100)));
    const producer = coalescing(held, { maxQueuedBytes: size });
    const inFlight = producer.submit(record('x'.repeat(100)));
    await until(() => held.waiting === 1);
    const queued = producer.submit(record('x'.repeat(100)));
    const refused = producer.submit(record('y'.repeat(100)));
    await expect(refused.settled).rejects.toMatchObject({ code: 'kafka.producer_queue_full', retriable: true });
    refused.withdraw();
    expect(producer.queuedByteCount).toBe(size);
    held.acknowledge();
    await inFlight.settled;
    await until(() => held.waiting === 1);
    held.acknowledge();
    await queued.settled;
    expect(held.batches).toEqual([['x'.repeat(100)], ['x'.repeat(100)]]);
  });
});

describe('the bound on queued bytes', () => {
  it('refuses at once with a retriable error once the waiting records would pass maxQueuedBytes', async () => {
    const held = new HeldProducer();
    const size = recordBytes(record('x'.repeat(100)));
    const producer = coalescing(held, { maxQueuedBytes: 2 * size });
    const inFlight = producer.send(record('x'.repeat(100)));
    await until(() => held.waiting === 1);
    const queued = [producer.send(record('x'.repeat(100))), producer.send(record('x'.repeat(100)))];
    await expect(producer.send(record('x'.repeat(100)))).rejects.toMatchObject({ code: 'kafka.producer_queue_full', retriable: true });
    expect(producer.queuedByteCount).toBe(2 * size);
    held.acknowledge();
    await inFlight;
    await until(() => held.waiting === 1);
    held.acknowledge();
    await Promise.all(queued);
    expect(held.batches.flat()).toHaveLength(3);
  });

  it('counts headers: a record with a large request-headers header fills the bound', async () => {
    const held = new HeldProducer();
    const heavy = record('small', { 'hookbus-request-headers': JSON.stringify({ 'user-agent': 'u'.repeat(4000) }) });
    const producer = coalescing(held, { maxQueuedBytes: 6000 });
    void producer.send(record('in-flight'));
    await until(() => held.waiting === 1);
    void producer.send(heavy);
    await expect(producer.send(heavy)).rejects.toMatchObject({ code: 'kafka.producer_queue_full' });
    expect(producer.queuedByteCount).toBe(recordBytes(heavy));
    expect(recordBytes(heavy)).toBeGreaterThan(4000);
  });

  it('takes a record larger than the bound into an empty queue, so a large body is never refused for good', async () => {
    const held = new HeldProducer();
    const producer = coalescing(held, { maxQueuedBytes: 10 });
    const sent = producer.send(record('x'.repeat(1000)));
    await until(() => held.waiting === 1);
    held.acknowledge();
    await expect(sent).resolves.toBeUndefined();
  });

  it('sendAll takes all the records or none', async () => {
    const held = new HeldProducer();
    const size = recordBytes(record('r'));
    const producer = coalescing(held, { maxQueuedBytes: 3 * size });
    void producer.send(record('in-flight'));
    await until(() => held.waiting === 1);
    void producer.send(record('r'));
    await expect(producer.sendAll([record('r'), record('r'), record('r')])).rejects.toMatchObject({ code: 'kafka.producer_queue_full' });
    expect(producer.queuedByteCount).toBe(size);
  });
});

it('splits batches by the same size estimate as produce requests, headers included', async () => {
  const held = new HeldProducer();
  const headers = { 'hookbus-request-headers': 'h'.repeat(600) };
  const producer = coalescing(held, { maxBatchBytes: 1000 });
  const first = producer.send(record('first'));
  await until(() => held.waiting === 1);
  const rest = [producer.send(record('a', headers)), producer.send(record('b', headers))];
  held.acknowledge();
  await first;
  await until(() => held.waiting === 1);
  held.acknowledge();
  await until(() => held.waiting === 1);
  held.acknowledge();
  await Promise.all(rest);
  expect(held.batches).toEqual([['first'], ['a'], ['b']]);
});
