/**
 * Lists dead letters and sends chosen ones back to where they came from (after the fix that makes them pass).
 *
 *   npm run deadletters -- list [--stage normalizer] [--code providers.malformed_json] [--json]
 *   npm run deadletters -- redrive <partition:offset> [...]      (ids as `list` prints them)
 *   npm run deadletters -- redrive --stage normalizer [--code X]  (every matching dead letter)
 *
 * A redriven record goes back to its original topic with its original key, value and headers; a marker record on
 * webhooks.deadletter (null value, header hookbus-dlq-redrive-of) tells the projector to set `redriven_at`.
 */
import { parseArgs } from 'node:util';
import { finishCommand, handleHelp, loadEnv, parseCommandLine, UsageError, type CommandHelp } from '@hookbus/config';
import { createKafka, originalRecord, readDeadLetters, redriveDeadLetters, redriveMarker, selectDeadLetters, toEntry, withDurableSender, type DeadLetterEntry } from '@hookbus/kafka';

/** The redrive itself is shared with the console (libs/kafka dead-letter-redrive.ts); these names stay importable from here. */
export { originalRecord, readDeadLetters, redriveMarker, toEntry, type DeadLetterEntry };

/** `redrive` named ids or a selection that matches no dead letter not yet redriven. */
const EXIT_NONE_MATCH = 2;

export const DEADLETTERS_HELP: CommandHelp = {
  usage: [
    'npm run deadletters -- list [--stage S] [--code C] [--json]',
    'npm run deadletters -- redrive <partition:offset> [...]',
    'npm run deadletters -- redrive --stage S [--code C]',
  ],
  summary:
    'Lists the dead letters of webhooks.deadletter not yet redriven, or sends chosen ones back to their original topic with their original key, value and headers (ids as `list` prints them). Reads KAFKA_BROKERS.',
  options: [
    ['--stage S', 'only dead letters of this stage (normalizer, tracker, orchestrator, projector)'],
    ['--code C', 'only dead letters with this code (malformed_json...)'],
    ['--json', '`list` as JSON'],
  ],
  exitCodes: [[EXIT_NONE_MATCH, '`redrive`: no dead letter not yet redriven matches the ids or the selection']],
};

export interface DeadLetterArgs {
  readonly command: 'list' | 'redrive';
  readonly ids: readonly string[];
  readonly stage?: string;
  readonly code?: string;
  readonly json: boolean;
}

/** The stages that write dead letters: the four consumers and the orchestrator's retry lanes. */
const STAGE = /^(normalizer|tracker|orchestrator|projector|orchestrator-retry-[a-z0-9-]+)$/;
const ID = /^\d+:\d+$/;

/**
 * The command line, refused whole when any part is wrong: a misspelt selection (`--cod X`) once made `redrive
 * --stage normalizer --cod X` redrive every normalizer dead letter.
 */
export function parseDeadLetterArgs(argv: readonly string[]): DeadLetterArgs {
  const { values, positionals } = parseCommandLine(() =>
    parseArgs({
      args: [...argv],
      options: { stage: { type: 'string' }, code: { type: 'string' }, json: { type: 'boolean', default: false } },
      strict: true,
      allowPositionals: true,
    }),
  );
  const [command = 'list', ...ids] = positionals;
  if (command !== 'list' && command !== 'redrive') throw new UsageError(`unknown command ${command}: list or redrive`);
  const { stage, code, json } = values;
  if (stage !== undefined && !STAGE.test(stage)) throw new UsageError(`--stage: normalizer, tracker, orchestrator (or orchestrator-retry-<lane>) or projector, got ${JSON.stringify(stage)}`);
  if (code !== undefined && code.trim() === '') throw new UsageError('--code: a dead-letter code, got ""');
  if (command === 'list') {
    if (ids.length > 0) throw new UsageError(`list takes no ids (got ${ids.join(' ')}); select with --stage/--code`);
  } else {
    const notIds = ids.filter((id) => !ID.test(id));
    if (notIds.length > 0) throw new UsageError(`redrive: not a dead-letter id (partition:offset, as list prints it): ${notIds.join(' ')}`);
    if (json) throw new UsageError('--json: only with list');
    if (ids.length === 0 && stage === undefined && code === undefined) throw new UsageError('nothing to redrive: name dead letters by id, or select them with --stage/--code');
  }
  return { command, ids, stage, code, json };
}

export async function deadLetters(argv: string[]): Promise<number> {
  const { command, ids, stage, code, json } = parseDeadLetterArgs(argv);
  const env = loadEnv();
  const entries = selectDeadLetters(await readDeadLetters(env.kafkaBrokers, env.kafkaSecurity), { stage, code });
  if (command === 'list') {
    if (json) {
      console.log(JSON.stringify(entries.map(({ record: _r, rowId: _rowId, ...e }) => e), null, 2));
      return 0;
    }
    console.log(['id', 'stage', 'code', 'origin', 'failed at', 'error'].join('\t'));
    for (const e of entries) console.log([e.id, e.stage, e.code, e.origin, e.failedAt, e.error.slice(0, 120)].join('\t'));
    console.log(`${entries.length} dead letter(s) not yet redriven`);
    return 0;
  }
  const chosen = selectDeadLetters(entries, { ids });
  if (chosen.length === 0) {
    process.stderr.write(`no dead letter not yet redriven matches ${ids.length > 0 ? ids.join(' ') : 'the selection'}; nothing redriven\n`);
    return EXIT_NONE_MATCH;
  }
  const kafka = createKafka({ brokers: env.kafkaBrokers, security: env.kafkaSecurity, clientId: 'hookbus-deadletters' });
  await withDurableSender(kafka, (send) => redriveDeadLetters(send, chosen, new Date()));
  console.log(`redrove ${chosen.length} dead letter(s): ${chosen.map((e) => `${e.id} → ${e.origin.split('/')[0]}`).join(', ')}`);
  return 0;
}

if (require.main === module) {
  handleHelp(process.argv.slice(2), DEADLETTERS_HELP);
  finishCommand(deadLetters(process.argv.slice(2)), DEADLETTERS_HELP);
}
