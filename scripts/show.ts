/**
 * `npm run show -- <processKey | communicationId | entityId | processId | phone>`: one support timeline from the
 * Postgres read model, receipts → events → transitions → results. An operator tool: it prints personal data to
 * the terminal it was asked from and writes nothing else anywhere. Bodies and request headers are not printed. The
 * argument is matched literally (never as a LIKE pattern), and control characters in what it prints are escaped.
 */
import { Client } from 'pg';
import { loadEnv } from '@hookbus/config';
import { formatTimeline, loadTimeline, terminalSafe } from '@hookbus/db';

async function main(): Promise<void> {
  const key = process.argv.slice(2).join(' ').trim();
  if (!key) {
    process.stderr.write('usage: npm run show -- <processKey | communicationId | entityId | processId | phone>\n');
    process.exitCode = 2;
    return;
  }
  const env = loadEnv();
  const client = new Client({ connectionString: env.databaseUrl, connectionTimeoutMillis: 5000, application_name: 'hookbus-show', options: '-c TimeZone=UTC' });
  await client.connect();
  try {
    process.stdout.write(formatTimeline(await loadTimeline(client, key)));
  } finally {
    await client.end();
  }
}

main().catch((error: unknown) => {
  // The message of a connection or config error names the setting, never the looked-up key.
  process.stderr.write(`show failed: ${terminalSafe(error instanceof Error ? error.message : String(error))}\n`);
  process.exit(1);
});
