import { randomUUID } from 'node:crypto';
import { Topics } from '@hookbus/contracts';
// The wire's header names, for assertions on what was written (production code reads them through the codecs).
import { RawHeaders } from '../../../libs/contracts/src/record-headers';
import { TEST_KAFKA_BROKERS, TopicObserver } from '@hookbus/testing';
import { DurableRecordStore } from '../src/kafka/durable-record-store';
import { JSON_HEADERS, send, startTestGateway, type Sent } from './gateway-support';

it('graceful close: every request answered 200 before the close is on Kafka', async () => {
  const observer = await TopicObserver.start([Topics.raw.credas.name]);
  try {
    const gateway = await startTestGateway(null, TEST_KAFKA_BROKERS);
    const url = `${gateway.url}/webhooks/credas-monitoring`;
    const inFlight = Array.from({ length: 50 }, () =>
      send(url, { body: `{"EntityId":"${randomUUID()}"}`, headers: JSON_HEADERS }).catch(() => null as Sent | null),
    );
    const drained = jest.spyOn(DurableRecordStore.prototype, 'close');
    // Once the first answer is back the others are on the wire: close while they are in flight.
    await Promise.race(inFlight);
    const started = Date.now();
    await gateway.close();
    // Connections busy at close are ended with their answer, not left to the 65 s keep-alive timeout.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(drained).toHaveBeenCalled();
    // Requests that had not connected before the close fail to connect (null): the gateway stopped accepting.
    const replies = (await Promise.all(inFlight)).filter((r): r is Sent => r !== null);
    const accepted = replies.filter((r) => r.status === 200).map((r) => r.json<{ receiptId: string }>().receiptId);
    expect(replies.every((r) => r.status === 200 || r.status === 503)).toBe(true);
    expect(accepted.length).toBeGreaterThan(0);
    const ids = new Set(accepted);
    await observer.waitForRecords((r) => ids.has(r.headers[RawHeaders.receiptId]!), accepted.length);
  } finally {
    await observer.stop();
  }
});
