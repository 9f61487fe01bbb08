import type { Pool } from 'pg';
import { Topics } from '@hookbus/contracts';
import type { BatchEffects, BatchSink, ConsumedRecord, TransformedRecord } from '@hookbus/kafka';
import type { PartitionKeeper } from './partition-keeper';
import { classifyPostgresError } from './postgres-errors';
import { mergeProjections, monthsNeeded, withoutExpired } from './projection-batch';
import type { Projection } from './projection-rows';
import { writeProjection } from './projection-writer';
import { ALWAYS_SECRET_HEADERS, deadLetterSalvage, projectRecord } from './record-projection';

/**
 * Every topic → the read model. A batch is one Postgres transaction of multi-row upserts; the runner commits the
 * offsets only after it, so a crash between the two replays the batch onto rows that already hold it (the
 * upserts' guards make that a no-op). Failures are classified in postgres-errors.ts: Postgres being away is a
 * TransientError (the runner backs off and retries), a refused row is dead-lettered, anything else is bounded.
 */
export class ProjectionSink implements BatchSink<Projection> {
  readonly stage = 'projector';

  constructor(
    private readonly pool: Pool,
    private readonly partitions: PartitionKeeper,
    private readonly secretHeaders: ReadonlySet<string> = ALWAYS_SECRET_HEADERS,
  ) {}

  transform(record: ConsumedRecord): Projection {
    return projectRecord(record, this.secretHeaders);
  }

  async flush(items: ReadonlyArray<TransformedRecord<Projection>>, effects: BatchEffects): Promise<void> {
    try {
      await this.write(items.map((item) => item.value), effects);
    } catch (error) {
      const classified = classifyPostgresError(error);
      const only = items.length === 1 ? items[0]!.record : null;
      // The runner flushes a failing batch record by record; a dead letter Postgres refuses as it came is then
      // stored salvaged, never dead-lettered again (a dead letter of a dead letter is how the NUL loop ran).
      if (classified.retriable || only?.topic !== Topics.deadLetter.name) throw classified;
      await this.write([{ deadLetters: [deadLetterSalvage(only, classified)] }], effects).catch((salvageError: unknown) => {
        throw classifyPostgresError(salvageError);
      });
    }
  }

  private async write(projections: readonly Projection[], effects: BatchEffects): Promise<void> {
    const batch = withoutExpired(mergeProjections(projections), await this.partitions.horizons());
    await this.partitions.ensure(monthsNeeded(batch));
    await effects.heartbeat().catch(() => undefined);
    await this.inTransaction((client) => writeProjection(client, batch));
  }

  private async inTransaction(work: (client: import('pg').PoolClient) => Promise<void>): Promise<void> {
    const client = await this.pool.connect();
    // pg-pool listens for errors only on idle clients; a connection cut mid-batch must reject the query, not crash.
    const onError = (): void => undefined;
    client.on('error', onError);
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      await work(client);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        broken = rollbackError;
      });
      throw error;
    } finally {
      // A connection that could not even roll back is discarded rather than returned to the pool.
      client.removeListener('error', onError);
      client.release(broken);
    }
  }
}
