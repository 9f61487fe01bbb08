#!/usr/bin/env node
/**
 * A downstream consumer of hookbus, with kafkajs: reads events.communications.v1 and events.transitions.v1, and
 * prints one line per event. What it shows (docs/consumers.md):
 * - read committed only (the tracker publishes transitions in Kafka transactions: an aborted batch is never seen);
 * - the record key is the event subject (communicationId or processKey); order holds per key only;
 * - duplicates happen (a provider retry, a replay, a redelivery after a crash): deduplicate by CloudEvent `id`;
 * - offsets are committed after the line is printed (at least once), so a restart never skips an event.
 *
 * Settings (environment): KAFKA_BROKERS (default 127.0.0.1:9092), GROUP_ID (default hookbus-example-node),
 * EXIT_WHEN_IDLE_MS (optional: exit 0 once no event arrived for that long after joining; for scripts and tests).
 */
const { Kafka, logLevel } = require('kafkajs');
const { Topics, decodeEventRecord, parseIdentity } = require('@hookbus/events');

const brokers = (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(',');
const groupId = process.env.GROUP_ID || 'hookbus-example-node';
const exitWhenIdleMs = Number(process.env.EXIT_WHEN_IDLE_MS || 0);
const topics = [Topics.communications.name, Topics.transitions.name];

/**
 * Event ids already handled. In memory here; a real consumer keeps them where its effect lands, in the same
 * transaction (a unique key on event_id in its database), so a duplicate after a restart is caught too.
 */
const seen = new Set();

/** The one line an event prints as: where it was, what it is, what it says. */
function describe(event) {
  const identity = parseIdentity(event.subject);
  const about = identity ? `${identity.kind}/${identity.id.provider}` : 'unknown-identity';
  switch (event.type) {
    case 'hookbus.communication.status':
      return `${about} status=${event.data.status}${event.data.final ? ' (final)' : ''}`;
    case 'hookbus.transition':
      return `${about} ${event.data.from ?? '(new)'} -> ${event.data.to}${event.data.requiresAction ? ' (requires action)' : ''}${event.data.reason ? ` reason=${event.data.reason}` : ''}`;
    default:
      return about;
  }
}

async function main() {
  const kafka = new Kafka({ clientId: 'hookbus-example-node', brokers, logLevel: logLevel.WARN });
  // readUncommitted: false is read_committed (kafkajs' default, written out because it matters).
  const consumer = kafka.consumer({ groupId, readUncommitted: false });
  let idleTimer = null;
  let stopping = false;
  const stop = async (code) => {
    if (stopping) return;
    stopping = true;
    clearTimeout(idleTimer);
    await consumer.disconnect();
    process.exit(code);
  };
  const armIdleTimer = () => {
    if (!exitWhenIdleMs) return;
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => void stop(0), exitWhenIdleMs);
  };
  consumer.on(consumer.events.GROUP_JOIN, armIdleTimer);
  consumer.on(consumer.events.CRASH, (e) => {
    if (!e.payload.restart) {
      console.error(`consumer crashed: ${e.payload.error.message}`);
      void stop(1);
    }
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => void stop(0));

  await consumer.connect();
  // A new group starts at the beginning of the topics' retention (14 days); an existing one where it committed.
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      armIdleTimer();
      const decoded = decodeEventRecord({ topic, key: message.key, value: message.value });
      if (decoded.kind === 'invalid') {
        // Never expected from hookbus; a real consumer would alert. The reason names the rule, not the content.
        console.error(`${topic} p${partition}@${message.offset} skipped: ${decoded.reason}`);
        return;
      }
      if (decoded.kind === 'unknown-type') {
        // A type added to the contract after this consumer was written: skip it, do not fail.
        console.error(`${topic} p${partition}@${message.offset} skipped: unknown type ${decoded.type}`);
        return;
      }
      const { event } = decoded;
      if (seen.has(event.id)) {
        console.error(`${topic} p${partition}@${message.offset} duplicate of id=${event.id}: skipped`);
        return;
      }
      seen.add(event.id);
      console.log(`${topic} p${partition}@${message.offset} ${event.type} ${event.subject} ${describe(event)} id=${event.id}`);
    },
  });
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
