/**
 * `npm run show -- <processKey | communicationId | entityId | receiptId | processId | phone>`: one support timeline
 * from the Postgres read model (the console's search, libs/db loadTimeline), receipts → events → transitions →
 * results, newest first. An operator tool: it prints personal data to
 * the terminal it was asked from and writes nothing else anywhere. Bodies and request headers are not printed. The
 * argument is matched literally (never as a LIKE pattern), and control characters in what it prints are escaped.
 */
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { EXIT_FAILED, EXIT_USAGE, formatHelp, handleHelp, loadEnv, parseCommandLine, UsageError, type CommandHelp } from '@hookbus/config';
import { formatTimeline, loadTimeline, terminalSafe, timelineIsEmpty } from '@hookbus/db';

/** Nothing in the read model matches the argument. */
const EXIT_NOT_FOUND = 2;

const SHOW_HELP: CommandHelp = {
  usage: ['npm run show -- <processKey | communicationId | entityId | receiptId | processId | phone>'],
  summary:
    'One timeline from the Postgres read model (DATABASE_URL): receipts → events → transitions → results, newest first. A processId is a Credas ProcessId, an Authvia business process id or a Cellosign session id. The argument is matched literally; control characters in what it prints are shown as escapes.',
  exitCodes: [[EXIT_NOT_FOUND, 'nothing matches the argument']],
};

/**
 * The key to look up. show has no options: an argument that looks like one (`--json`, `-x`) is a mistake, not a key
 * (it used to be looked up as one); `--` ends the options, so a key that starts with a dash can still be looked up.
 */
export function parseShowArgs(argv: readonly string[]): string {
  const { positionals } = parseCommandLine(() => parseArgs({ args: [...argv], options: {}, strict: true, allowPositionals: true }));
  const key = positionals.join(' ').trim();
  if (!key) throw new UsageError('show: name a processKey, communicationId, entityId, receiptId, processId or phone');
  return key;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  handleHelp(argv, SHOW_HELP);
  let key: string;
  try {
    key = parseShowArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${terminalSafe(error.message)}\n\n${formatHelp(SHOW_HELP)}`);
    process.exitCode = EXIT_USAGE;
    return;
  }
  const env = loadEnv();
  const client = new Client({ connectionString: env.databaseUrl, connectionTimeoutMillis: 5000, application_name: 'hookbus-show', options: '-c TimeZone=UTC' });
  await client.connect();
  try {
    const timeline = await loadTimeline(client, key);
    process.stdout.write(formatTimeline(timeline));
    if (timelineIsEmpty(timeline)) process.exitCode = EXIT_NOT_FOUND;
  } finally {
    await client.end();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    // The message of a connection or config error names the setting, never the looked-up key.
    process.stderr.write(`show failed: ${terminalSafe(error instanceof Error ? error.message : String(error))}\n`);
    process.exit(EXIT_FAILED);
  });
}
