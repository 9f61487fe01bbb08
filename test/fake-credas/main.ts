/**
 * The fake Credas API as a process, for `npm start --fake-credas` and `npm run demo` (scripts/start.ts sets
 * FAKE_CREDAS_PORT and FAKE_CREDAS_API_KEY, and points the orchestrator's CREDAS_API_BASE_URL here). It answers for
 * any process id with generated data.
 */
import { startFakeCredas } from './fake-credas.server';

async function main(): Promise<void> {
  const apiKey = process.env.FAKE_CREDAS_API_KEY || process.env.CREDAS_API_KEY;
  if (!apiKey) throw new Error('FAKE_CREDAS_API_KEY (or CREDAS_API_KEY) must be set');
  const fake = await startFakeCredas({ port: Number(process.env.FAKE_CREDAS_PORT || 3100), apiKey, autoCreate: true });
  process.stdout.write(`fake Credas API listening on ${fake.url}\n`);
  const stop = () => void fake.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // Started by npm start with an IPC channel: its closing means npm start is gone (even SIGKILLed); do not outlive it.
  if (process.channel) {
    process.once('disconnect', stop);
    process.channel.unref();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
