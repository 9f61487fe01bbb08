import { defaultOptions, stopLocalKafka } from '../../scripts/kafka/local-kafka';

/** Stops the broker only if this test run started it; a broker the developer or CI started stays up. */
export default async function globalTeardown(): Promise<void> {
  if ((globalThis as { __hookbusStartedKafka?: boolean }).__hookbusStartedKafka) await stopLocalKafka(defaultOptions());
}
