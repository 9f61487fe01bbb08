import { stopLocalKafka } from '../../scripts/kafka/local-kafka';
import { TEST_KAFKA } from './test-settings';

/** Stops the broker only if this test run started it; a broker the developer or CI started stays up. */
export default async function globalTeardown(): Promise<void> {
  if ((globalThis as { __hookbusStartedKafka?: boolean }).__hookbusStartedKafka) await stopLocalKafka(TEST_KAFKA.options!);
}
