import { type DynamicModule, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import { PlatformModule, type ServiceContext } from '@hookbus/platform';

export const PROJECTOR_POOL = Symbol('PROJECTOR_POOL');

/** Ends the Postgres pool after Nest stopped the consumer (microservices close before shutdown hooks run). */
@Injectable()
export class PoolCloser implements OnApplicationShutdown {
  constructor(@Inject(PROJECTOR_POOL) private readonly pool: Pool) {}

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}

@Module({})
export class ProjectorModule {
  static forContext(context: ServiceContext, pool: Pool): DynamicModule {
    const checks = new Map([['postgres', async () => void (await pool.query('SELECT 1'))]]);
    return {
      module: ProjectorModule,
      imports: [PlatformModule.forService(context, checks)],
      providers: [{ provide: PROJECTOR_POOL, useValue: pool }, PoolCloser],
    };
  }
}
