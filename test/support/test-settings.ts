import { localKafkaSetup } from '../../scripts/kafka/local-kafka';

/**
 * Where integration tests find the broker and the database: their own broker (127.0.0.1:19092, data in
 * .hookbus/kafka-test) and their own database, never `npm start`'s, so `npm test` can run beside a running stack.
 * KAFKA_BROKERS and TEST_DATABASE_URL override them (CI, and engineers sharing a machine).
 */
export const TEST_KAFKA = localKafkaSetup('test');
export const TEST_KAFKA_BROKERS = TEST_KAFKA.brokers;
// The CLIs a test calls in-process (replay, deadletters) read KAFKA_BROKERS from the environment like the services:
// without this they would look for npm start's broker on 9092.
process.env.KAFKA_BROKERS ??= TEST_KAFKA_BROKERS.join(',');
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/hookbus_test';
