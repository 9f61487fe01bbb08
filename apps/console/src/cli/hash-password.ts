/**
 * `npm run console:hash-password`: reads one password from stdin (the first line; never an argument, which `ps`
 * and shell history would keep) and prints its scrypt hash for `console.users[].passwordHash` or a
 * CONSOLE_USERS_FILE.
 *
 *   printf '%s\n' "$PASSWORD" | npm run -s console:hash-password
 */
import { finishCommand, handleHelp, refuseArguments, UsageError, type CommandHelp } from '@hookbus/config';
import { hashPassword } from '../auth/password-hash';

const HELP: CommandHelp = {
  usage: ['npm run -s console:hash-password < password.txt'],
  summary:
    'Reads a password from stdin (its first line) and prints its scrypt hash (N=2^15, r=8, p=1, 16-byte salt) for console.users[].passwordHash in hookbus.yaml or a CONSOLE_USERS_FILE.',
};

/** The shortest password accepted: the console is reachable by whoever reaches its port. */
export const MIN_PASSWORD_LENGTH = 12;

export function passwordFromInput(input: string): string {
  const password = input.split(/\r?\n/)[0] ?? '';
  if (password.length < MIN_PASSWORD_LENGTH) throw new UsageError(`console:hash-password: the password must have at least ${MIN_PASSWORD_LENGTH} characters (read from stdin, first line)`);
  return password;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function main(argv: string[]): Promise<void> {
  refuseArguments(argv);
  if (process.stdin.isTTY) process.stderr.write('password (then Enter and Ctrl-D): ');
  const password = passwordFromInput(await readStdin());
  process.stdout.write(`${await hashPassword(password)}\n`);
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  handleHelp(argv, HELP);
  finishCommand(main(argv), HELP);
}
