import { type DynamicModule, Module } from '@nestjs/common';
import { PlatformModule, type ReadinessChecks, type ServiceContext } from '@hookbus/platform';

@Module({})
export class OrchestratorModule {
  static forContext(context: ServiceContext, checks: ReadinessChecks): DynamicModule {
    return { module: OrchestratorModule, imports: [PlatformModule.forService(context, checks)] };
  }
}
