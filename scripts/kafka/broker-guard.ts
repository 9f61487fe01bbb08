/**
 * Stops the local broker `npm start` (or `npm run bench`) started when that process itself is gone, however it went. The broker is a JVM
 * started detached (so Ctrl-C in the terminal does not reach it before the services have stopped), so nothing
 * ends it when its supervisor is SIGKILLed; this small Node process holds an IPC channel to the supervisor, and
 * when that channel closes it does what the supervisor would have done: waits for the services to be gone (they
 * stop themselves when their own channel closes, within SHUTDOWN_TIMEOUT_MS), then a controlled shutdown of the
 * broker, SIGKILL after a bound.
 *
 *   (forked by guardLocalKafka in local-kafka.ts with the broker's options as JSON; detached: its own process group)
 *
 * It acts only on what the supervisor told it over the channel (GuardMessage): the pid of the JVM the supervisor
 * spawned — never whatever the pidfile names by then — and the services' pids. Told no broker pid, it stops nothing.
 * It ignores SIGTERM, SIGINT and SIGHUP: those reach a whole process group (`timeout`, `kill -- -PGID`, CI
 * cancellation, a closed terminal) and the supervisor handles them; stopping the broker then would cut the services
 * off while they still flush and commit. Its own process group keeps a group SIGKILL from reaching it.
 *
 * Kept free of the @hookbus path aliases, like local-kafka.ts.
 */
import { isProcessAlive, stopLocalKafka, type GuardMessage, type LocalKafkaOptions } from './local-kafka';

const options = JSON.parse(process.argv[2] ?? '{}') as LocalKafkaOptions;
/** Beyond the services' own bound: their exit itself, on a busy machine. */
const SERVICES_MARGIN_MS = 5_000;
let brokerPid: number | null = null;
let services: number[] = [];
let servicesTimeoutMs = 10_000;

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => undefined);
process.on('message', (message: GuardMessage) => {
  if (typeof message.pid === 'number') brokerPid = message.pid;
  if (Array.isArray(message.services)) services = message.services.filter((pid) => Number.isInteger(pid) && pid > 0);
  if (typeof message.shutdownTimeoutMs === 'number') servicesTimeoutMs = message.shutdownTimeoutMs;
});
process.once('disconnect', () => {
  void (async () => {
    const deadline = Date.now() + servicesTimeoutMs + SERVICES_MARGIN_MS;
    while (services.some(isProcessAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (brokerPid !== null) await stopLocalKafka(options, 10_000, brokerPid);
  })().finally(() => process.exit(0));
});
// Its signal handlers are in place: said for whoever waits on that (tests; the supervisor needs not).
process.send?.({ ready: true });
