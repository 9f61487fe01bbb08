import { type DynamicModule, Module } from '@nestjs/common';
import { PlatformModule, type ServiceContext } from '@hookbus/platform';

@Module({})
export class TrackerModule {
  static forContext(context: ServiceContext): DynamicModule {
    return { module: TrackerModule, imports: [PlatformModule.forService(context)] };
  }
}
