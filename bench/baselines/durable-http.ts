import { createServer } from 'node:http';
import { CoalescingProducer, RenewableIdempotentProducer, createDurableProducer, createKafka } from '@hookbus/kafka';
import { DEFAULT_STORE_OPTIONS } from '../../apps/gateway/src/kafka/durable-record-store';

/**
 * Baseline (c) of issue 18: the durable gateway floor. Bare Node `http` that writes each body to Kafka with the
 * gateway's producer — the same kafkajs client (createKafka), the same idempotent producer with acks from all in-sync
 * replicas and one request in flight (createDurableProducer), the same coalescing of concurrent requests into one
 * batch (CoalescingProducer with the gateway's linger and batch bounds) — and answers 200 once the broker acknowledged
 * it; nothing else: no auth, no routing key, no headers, no receipt, no metrics, no framework. What any durable
 * gateway written on this client pays on this machine. Writes to its own topic (DURABLE_TOPIC) so no stage reads it.
 */
const port = Number(process.env.PORT || 0);
const topic = process.env.DURABLE_TOPIC || 'hookbus-bench.durable';
const kafka = createKafka({ brokers: (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(','), clientId: 'bench-durable-baseline' });
const producer = new RenewableIdempotentProducer(() => createDurableProducer(kafka));
const { lingerMs, maxBatchRecords, maxBatchBytes, maxQueuedBytes } = DEFAULT_STORE_OPTIONS;
const coalescing = new CoalescingProducer(producer, { lingerMs, maxBatchRecords, maxBatchBytes, maxQueuedBytes });

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    coalescing.send({ topic, key: null, value: Buffer.concat(chunks) }).then(
      () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      },
      () => {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end('{"ok":false}');
      },
    );
  });
});
server.keepAliveTimeout = 65_000;

let stopping = false;
function stop(): void {
  if (stopping) return;
  stopping = true;
  server.close();
  void coalescing
    .drain()
    .then(() => producer.disconnect())
    .finally(() => process.exit(0));
}
process.on('SIGTERM', stop);
// Spawned by the bench with an IPC channel: its closing means the bench is gone (even SIGKILLed); do not outlive it.
if (process.channel) {
  process.once('disconnect', stop);
  process.channel.unref();
}

void producer.connect().then(
  () => server.listen(port, '127.0.0.1', () => process.stdout.write(`listening ${JSON.stringify(server.address())}\n`)),
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  },
);
