import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { firstHourCommands } from './readme-commands';

describe('firstHourCommands', () => {
  it('reads the steps of the README block in order, joining indented continuation lines and skipping notes', () => {
    const readme = ['# x', '```bash', 'npm test', '```', '```bash first-hour', 'npm install', 'npm start   # leave it', "curl -s a -d '{", '  "b": 1}\'', '# → reply', 'npm run lag', '```', ''].join('\n');
    expect(firstHourCommands(readme)).toEqual([
      { step: 'npm install', text: 'npm install' },
      { step: 'npm start', text: 'npm start   # leave it' },
      { step: 'curl', text: "curl -s a -d '{\n  \"b\": 1}'" },
      { step: 'npm run lag', text: 'npm run lag' },
    ]);
  });

  it('fails clearly when the README has no first-hour block', () => {
    expect(() => firstHourCommands('```bash\nnpm start\n```\n')).toThrow(/no ```bash first-hour block/);
  });

  it('finds the steps the first-hour test knows, in order, in the real README', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    expect(firstHourCommands(readme).map((c) => c.step)).toEqual(['npm install', 'npm start', 'curl', 'npm run demo', 'npm run show', 'npm run lag']);
  });
});
