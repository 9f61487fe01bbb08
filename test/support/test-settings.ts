/** Where integration tests find the broker and the database: the same defaults as the services, another database. */
export const TEST_KAFKA_BROKERS = (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(',');
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/hookbus_test';
