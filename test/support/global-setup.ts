/**
 * Once per `npm test`: a real Postgres must answer (we do not start it: the machine's service manager does, see
 * README), a real Kafka broker must answer (the tests' own, 127.0.0.1:19092 with data in .hookbus/kafka-test, started
 * here from the cached Apache Kafka jars if none does), topics
 * are provisioned from the one declaration, and the test database is dropped, created and migrated.
 * Relative imports only: jest loads this file without the @hookbus module mapper.
 */
import { Client } from 'pg';
import { Kafka, logLevel } from 'kafkajs';
import { TOPIC_DURABILITY, allTopics } from '../../libs/contracts/src/topics';
import { provisionTopics } from '../../libs/kafka/src/topic-provisioner';
import { brokerAnswers } from '../../libs/kafka/src/kafka-client';
import { migrate } from '../../libs/db/src/data-source';
import { startLocalKafka } from '../../scripts/kafka/local-kafka';
import { recreateDatabase } from './database';
import { TEST_DATABASE_URL, TEST_KAFKA, TEST_KAFKA_BROKERS } from './test-settings';

export default async function globalSetup(): Promise<void> {
  await requirePostgres();
  // A new, empty test database for every run. Rows are keyed by where their records came from (a dead letter's id is
  // its stage, topic, partition and offset): a fresh broker (every CI clone) numbers its offsets from 0 again, and the
  // rows an earlier run left under the same ids answered instead — the projector's upserts keep the first row, so
  // tests waiting for their own row timed out, in CI only (on a machine whose test database had seen earlier runs).
  await recreateDatabase(TEST_DATABASE_URL);
  if (!(await brokerAnswers(TEST_KAFKA_BROKERS, 2000, undefined))) {
    if (!TEST_KAFKA.options) throw new Error(`KAFKA_BROKERS: no broker answers at ${TEST_KAFKA_BROKERS.join(',')}, and the tests start their own only at one local address`);
    const started = await startLocalKafka(TEST_KAFKA.options, (line) => process.stdout.write(`\n${line}\n`));
    (globalThis as { __hookbusStartedKafka?: boolean }).__hookbusStartedKafka = started.startedHere;
  }
  const admin = new Kafka({ clientId: 'hookbus-test-setup', brokers: TEST_KAFKA_BROKERS, logLevel: logLevel.WARN }).admin();
  await admin.connect();
  try {
    await provisionTopics(admin, allTopics(), TOPIC_DURABILITY.local);
  } finally {
    await admin.disconnect();
  }
  await migrate(TEST_DATABASE_URL);
}

async function requirePostgres(): Promise<void> {
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = '/postgres';
  const client = new Client({ connectionString: url.toString(), connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `Postgres does not answer at ${url.host} (${(error as Error).message}). Start it — on this machine kind: ` +
        "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start — or set TEST_DATABASE_URL.",
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}
