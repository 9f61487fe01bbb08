/**
 * The fake Credas API as a process, for `npm start --fake-credas` and `npm run demo` (scripts/start.ts sets
 * FAKE_CREDAS_PORT and FAKE_CREDAS_API_KEY, and points the orchestrator's CREDAS_API_BASE_URL here). It answers for
 * any process id with generated data.
 */
import { startFakeCredas } from './fake-credas-server';

let server: { close(): Promise<void> } | null = null;
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void (server?.close() ?? Promise.resolve()).finally(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
// Started by npm start with an IPC channel: its closing means npm start is gone (even SIGKILLed); do not outlive it.
// Listened for before anything is awaited: a parent that dies during the start must still stop this process (a
// listener added later misses the event, and the fake would hold its port for ever).
if (process.channel) {
  process.once('disconnect', stop);
  process.channel.unref();
  if (!process.connected) stop();
}

async function main(): Promise<void> {
  const apiKey = process.env.FAKE_CREDAS_API_KEY || process.env.CREDAS_API_KEY;
  if (!apiKey) throw new Error('FAKE_CREDAS_API_KEY (or CREDAS_API_KEY) must be set');
  const fake = await startFakeCredas({ port: Number(process.env.FAKE_CREDAS_PORT || 3100), apiKey, autoCreate: true });
  server = fake;
  // Stopped while it was starting: close what it just opened.
  if (stopping) return void fake.close().finally(() => process.exit(0));
  process.stdout.write(`fake Credas API listening on ${fake.url}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
