import { Pool } from 'pg';
import { STAGES } from '@hookbus/contracts';
import type { SourceConfig } from '@hookbus/config';
import type { BackoffPolicy } from '@hookbus/kafka';
import { startConsumingService, type RunningService } from '@hookbus/nest-kafka';
import type { ServiceContext } from '@hookbus/platform';
import { PartitionKeeper } from './partition-keeper';
import { ProjectionSink } from './projection.sink';
import { ProjectorModule } from './projector.module';
import { ALWAYS_SECRET_HEADERS } from './record-projection';

export const PROJECTOR_GROUP = STAGES.projector.group;
/** Every topic the projector reads, from the stage table (libs/contracts/src/stages.ts). */
export const PROJECTOR_TOPICS: readonly string[] = STAGES.projector.inputs;
const MAINTENANCE_INTERVAL_MS = 60 * 60 * 1000;

export interface ProjectorOptions {
  readonly port?: number;
  readonly groupId?: string;
  /** Tests shorten the retry backoff so an outage test does not wait out the 30 s cap. */
  readonly backoff?: BackoffPolicy;
}

/** Consumes every topic of the contract and keeps the Postgres read model (schema hookbus) up to date. */
export async function startProjector(context: ServiceContext, options: ProjectorOptions = {}): Promise<RunningService> {
  const concurrency = 6;
  const pool = createPool(context.env.databaseUrl, concurrency + 2);
  // An idle pooled connection that dies (Postgres restarted) emits here; the next query reconnects.
  pool.on('error', (error) => context.logger.warn({ code: (error as { code?: string }).code }, 'idle Postgres connection lost'));
  const partitions = new PartitionKeeper(pool);
  const maintain = () =>
    partitions.maintain().then(
      (dropped) => dropped.length > 0 && context.logger.info({ dropped }, 'dropped expired partitions'),
      // The reason says what failed (seen once on a fresh start of a heavily loaded machine, without a Postgres code).
      (error: Error) => context.logger.warn({ code: (error as { code?: string }).code, reason: error.message }, 'partition maintenance failed; retrying next hour'),
    );
  void maintain();
  const timer = setInterval(maintain, MAINTENANCE_INTERVAL_MS);
  timer.unref();
  const running = await startConsumingService({
    context,
    module: ProjectorModule.forContext(context, pool),
    sink: () => new ProjectionSink(pool, partitions, secretHeaderNames(context.config.sources)),
    consumer: {
      groupId: options.groupId ?? PROJECTOR_GROUP,
      topics: PROJECTOR_TOPICS,
      partitionsConsumedConcurrently: concurrency,
      backoff: options.backoff,
    },
    port: options.port ?? context.env.servicePorts.projector,
  });
  return {
    ...running,
    close: async () => {
      clearInterval(timer);
      await running.close();
    },
  };
}

function createPool(databaseUrl: string, max: number): Pool {
  return new Pool({
    connectionString: databaseUrl,
    max,
    application_name: 'hookbus-projector',
    connectionTimeoutMillis: 5_000,
    // Timestamps without an offset are UTC, whatever the server's zone; no statement may hang a partition forever.
    options: '-c TimeZone=UTC -c statement_timeout=60000',
    query_timeout: 65_000,
  });
}

/** Header-auth names of the configured sources, stripped again from archived request headers (defence in depth). */
function secretHeaderNames(sources: readonly SourceConfig[]): ReadonlySet<string> {
  const names = new Set(ALWAYS_SECRET_HEADERS);
  for (const source of sources) if (source.auth.type === 'header') names.add(source.auth.name.toLowerCase());
  return names;
}
