/**
 * Asks the orchestrator to retrieve a Credas process again, even if it already did:
 *   npm run credas:refetch -- <processId> [<entityId>]
 * The command goes on orchestrator.credas.commands.v1 (services talk only through Kafka); the orchestrator publishes
 * a new hookbus.credas.results event for it.
 */
import { parseArgs } from 'node:util';
import { finishCommand, handleHelp, loadEnv, parseCommandLine, UsageError, type CommandHelp } from '@hookbus/config';
import type { RefetchCommand } from '@hookbus/contracts';
import { isCredasId, sendRefetch } from '@hookbus/kafka';

/** The shared sender (libs/kafka credas-refetch-request.ts), also used by the console's re-fetch button. */
export { sendRefetch };

export const REFETCH_HELP: CommandHelp = {
  usage: ['npm run credas:refetch -- <processId> [<entityId>]'],
  summary:
    'Asks the orchestrator to retrieve a Credas process\'s results again, even if it already did: a command on orchestrator.credas.commands.v1, for which the orchestrator publishes a new hookbus.credas.results event. Reads KAFKA_BROKERS.',
};

/** What `npm run credas:refetch -- <processId> [<entityId>]` does, minus the process exit: one command, its id. */
export async function runRefetchCli(args: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): Promise<RefetchCommand> {
  const { positionals } = parseCommandLine(() => parseArgs({ args: [...args], options: {}, strict: true, allowPositionals: true }));
  const [processId, entityId] = positionals;
  if (!processId) throw new UsageError('credas:refetch: name the Credas processId');
  if (positionals.length > 2) throw new UsageError(`credas:refetch: at most a processId and an entityId, got ${positionals.length} arguments`);
  for (const [what, id] of [['processId', processId], ['entityId', entityId]] as const) {
    if (id !== undefined && !isCredasId(id)) throw new UsageError(`credas:refetch: not a Credas ${what} (letters, digits and dashes, up to 64): ${JSON.stringify(id)}`);
  }
  const settings = loadEnv(env);
  return sendRefetch(settings.kafkaBrokers, processId, entityId ?? null, settings.kafkaSecurity);
}

if (require.main === module) {
  handleHelp(process.argv.slice(2), REFETCH_HELP);
  finishCommand(
    runRefetchCli(process.argv.slice(2)).then((command) => {
      process.stdout.write(`re-fetch of credas:${command.processId} requested (command ${command.commandId})\n`);
    }),
    REFETCH_HELP,
  );
}
