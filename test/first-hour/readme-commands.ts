/**
 * The commands of the README's first hour, read from the README itself (the fenced block marked ```bash first-hour),
 * so the document and the test that runs it cannot drift apart.
 */
export interface ReadmeCommand {
  /** What the step is: the command's first words (`npm start`, `npm run demo`, `curl`...). */
  readonly step: string;
  /** The command as written, continuation lines included, for `bash -c`. */
  readonly text: string;
}

const FENCE = /^```bash first-hour\s*$/m;

/** Commands start at unindented lines; indented lines continue the previous one; `#` lines are the reader's notes. */
export function firstHourCommands(readme: string): ReadmeCommand[] {
  const start = readme.search(FENCE);
  if (start < 0) throw new Error('README.md has no ```bash first-hour block');
  const body = readme.slice(readme.indexOf('\n', start) + 1);
  const end = body.indexOf('\n```');
  if (end < 0) throw new Error('the ```bash first-hour block in README.md is not closed');
  const commands: string[] = [];
  for (const line of body.slice(0, end).split('\n')) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    if (/^\s/.test(line) && commands.length > 0) commands[commands.length - 1] += `\n${line}`;
    else commands.push(line);
  }
  return commands.map((text) => ({ step: stepOf(text), text }));
}

function stepOf(text: string): string {
  const words = text.split(/\s+/);
  return words[0] === 'npm' && words[1] === 'run' ? words.slice(0, 3).join(' ') : words[0] === 'npm' ? words.slice(0, 2).join(' ') : words[0]!;
}
