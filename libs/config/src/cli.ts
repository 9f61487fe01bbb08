/**
 * What every hookbus command says about itself: `--help` (or `-h`) prints its usage, options and exit codes on stdout
 * and exits 0, before the command reads any setting or connects to anything. Exit codes share one meaning across the
 * commands: 0 done, 1 failed (a broker, database or setting problem: the message says which), 64 the command line is
 * wrong (EX_USAGE, as scripts/bin/run-built.js), and each command's own codes from 2 up (documented in its help and
 * in the README's command table). Plain functions and no imports: scripts/kafka/local-kafka.ts uses it without the
 * @hookbus path aliases.
 */
import { parseArgs } from 'node:util';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 64;

export interface CommandHelp {
  /** One line per way to call it, e.g. `npm run lag -- [--json] [--watch]`. */
  readonly usage: readonly string[];
  /** What it does, in a sentence or two. */
  readonly summary: string;
  readonly options?: ReadonlyArray<readonly [flag: string, meaning: string]>;
  /** The command's own codes (2 and up); 0, 1 and 64 are added. */
  readonly exitCodes?: ReadonlyArray<readonly [code: number, meaning: string]>;
}

/** A command-line mistake: the command prints the message and its usage, and exits EXIT_USAGE. */
export class UsageError extends Error {}

/**
 * Runs a strict `node:util` parseArgs (unknown options, missing values and stray positionals are errors) and turns
 * its refusal into a UsageError: a typo such as `--dryrun` or `--cod` must stop the command, never be ignored.
 */
export function parseCommandLine<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) throw new UsageError((error as Error).message);
    throw error;
  }
}

/** For a command that takes no argument at all (`npm run demo`): anything given is a mistake, never ignored. */
export function refuseArguments(argv: readonly string[]): void {
  parseCommandLine(() => parseArgs({ args: [...argv], options: {}, strict: true, allowPositionals: false }));
}

/** A whole number ≥ min from an option's text, or a UsageError naming the option. */
export function wholeNumberOption(name: string, raw: string, min = 0): number {
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < min) throw new UsageError(`--${name}: expected a whole number ≥ ${min}, got ${JSON.stringify(raw)}`);
  return value;
}

export function formatHelp(help: CommandHelp): string {
  const pad = (rows: ReadonlyArray<readonly [string | number, string]>) => {
    const width = Math.max(...rows.map(([left]) => String(left).length));
    return rows.map(([left, right]) => `  ${String(left).padEnd(width)}  ${right}`).join('\n');
  };
  const codes: Array<readonly [number, string]> = [
    [EXIT_OK, 'done'],
    [EXIT_FAILED, 'failed: Kafka, Postgres or a setting (the message on stderr says which)'],
    ...(help.exitCodes ?? []),
    [EXIT_USAGE, 'the command line is wrong (the message and this usage on stderr)'],
  ];
  return [
    `usage: ${help.usage[0]}`,
    ...help.usage.slice(1).map((line) => `       ${line}`),
    '',
    help.summary,
    ...(help.options && help.options.length > 0 ? ['', 'options:', pad([...help.options, ['-h, --help', 'this help']])] : ['', 'options:', pad([['-h, --help', 'this help']])]),
    '',
    'exit codes:',
    pad(codes),
    '',
    'Logs (warnings and errors only; LOG_LEVEL=debug for more) go to stderr; stdout holds only what was asked for.',
    '',
  ].join('\n');
}

/** True when the command line asks for help: the caller prints formatHelp and exits 0. */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

/**
 * The common start of a command's main: prints the help and exits 0 when asked. Call it first, before any setting
 * is read, so `--help` works without a broker, a database or a valid environment.
 */
export function handleHelp(argv: readonly string[], help: CommandHelp): void {
  if (!wantsHelp(argv)) return;
  process.stdout.write(formatHelp(help));
  process.exit(EXIT_OK);
}

/** The common end of a command: its code, or the error's message on stderr and EXIT_USAGE / EXIT_FAILED. */
export function finishCommand(run: Promise<number | void>, help: CommandHelp, describe: (error: unknown) => string = defaultDescribe): void {
  run.then(
    (code) => process.exit(code ?? EXIT_OK),
    (error: unknown) => {
      if (error instanceof UsageError) {
        process.stderr.write(`${error.message}\n\n${formatHelp(help)}`);
        process.exit(EXIT_USAGE);
      }
      process.stderr.write(`${describe(error)}\n`);
      process.exit(EXIT_FAILED);
    },
  );
}

function defaultDescribe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
