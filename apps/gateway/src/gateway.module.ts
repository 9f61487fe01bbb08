import { type DynamicModule, Module, type OnApplicationShutdown } from '@nestjs/common';
import { PlatformModule, type ReadinessChecks, type ServiceContext } from '@hookbus/platform';

export const RECORD_STORE = Symbol('RECORD_STORE');

/**
 * Closes the spool (if any) and the producer after Nest has closed the HTTP server (`onApplicationShutdown` runs after it): by then every
 * in-flight request has been answered, so draining loses nothing that was acknowledged to a provider.
 */
class RecordStoreLifecycle implements OnApplicationShutdown {
  constructor(private readonly closeStores: () => Promise<void>) {}
  async onApplicationShutdown(): Promise<void> {
    await this.closeStores();
  }
}

/**
 * Nest is the shell: health, readiness, metrics and the shutdown order. The webhook routes live on Fastify. The
 * stack-wide lag exporter is not here: it runs in apps/monitor, off the internet-facing hot path.
 */
@Module({})
export class GatewayModule {
  static forContext(context: ServiceContext, closeStores: () => Promise<void>, checks: ReadinessChecks): DynamicModule {
    return {
      module: GatewayModule,
      imports: [PlatformModule.forService(context, checks)],
      providers: [{ provide: RECORD_STORE, useValue: new RecordStoreLifecycle(closeStores) }],
    };
  }
}
