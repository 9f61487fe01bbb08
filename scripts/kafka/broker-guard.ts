/**
 * Stops the local broker `npm start` started when `npm start` itself is gone, however it went. The broker is a JVM
 * started detached (so Ctrl-C in the terminal does not reach it before the services have stopped), so nothing
 * ends it when its supervisor is SIGKILLed; this small Node process holds an IPC channel to the supervisor, and
 * when that channel closes it does what the supervisor would have done: a controlled shutdown, SIGKILL after a bound.
 *
 *   (forked by guardLocalKafka in local-kafka.ts with the broker's options as JSON)
 *
 * Kept free of the @hookbus path aliases, like local-kafka.ts.
 */
import { stopLocalKafka, type LocalKafkaOptions } from './local-kafka';

const options = JSON.parse(process.argv[2] ?? '{}') as LocalKafkaOptions;
// Ctrl-C and a closed terminal reach the whole process group: the supervisor handles them and stops the broker after
// the services; this guard acts only when the supervisor is gone.
for (const signal of ['SIGINT', 'SIGHUP'] as const) process.on(signal, () => undefined);
process.on('SIGTERM', () => void stopLocalKafka(options).finally(() => process.exit(0)));
process.once('disconnect', () => void stopLocalKafka(options, 10_000).finally(() => process.exit(0)));
