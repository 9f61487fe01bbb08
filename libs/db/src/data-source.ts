import { DataSource } from 'typeorm';
import { MIGRATIONS } from './migrations';

export const SCHEMA = 'hookbus';

/**
 * The read model's DataSource. Migrations only — `synchronize` stays off so the schema changes exactly as the
 * migrations say, in the order they say.
 */
export function createDataSource(databaseUrl: string, options: { poolSize?: number; applicationName?: string } = {}): DataSource {
  return new DataSource({
    type: 'postgres',
    url: databaseUrl,
    synchronize: false,
    migrationsRun: false,
    migrations: MIGRATIONS,
    migrationsTableName: 'hookbus_migrations',
    migrationsTransactionMode: 'each',
    entities: [],
    logging: ['error'],
    applicationName: options.applicationName ?? 'hookbus',
    extra: { max: options.poolSize ?? 10, connectionTimeoutMillis: 5000 },
  });
}

/** Creates the database if missing and applies pending migrations; returns the names applied. */
export async function migrate(databaseUrl: string): Promise<string[]> {
  const { ensureDatabase } = await import('./ensure-database');
  await ensureDatabase(databaseUrl);
  const dataSource = createDataSource(databaseUrl, { poolSize: 2, applicationName: 'hookbus-migrate' });
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await dataSource.destroy();
  }
}
