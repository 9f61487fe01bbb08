import { type DynamicModule, Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { READINESS_CHECKS, SERVICE_CONTEXT, type ReadinessChecks, type ServiceContext } from './service-context';

/** Health, readiness and /metrics for every service; the service context available for injection. */
@Global()
@Module({})
export class PlatformModule {
  static forService(context: ServiceContext, checks: ReadinessChecks = new Map()): DynamicModule {
    return {
      module: PlatformModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController],
      providers: [
        { provide: SERVICE_CONTEXT, useValue: context },
        { provide: READINESS_CHECKS, useValue: checks },
      ],
      exports: [SERVICE_CONTEXT, READINESS_CHECKS],
    };
  }
}
