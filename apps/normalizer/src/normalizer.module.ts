import { type DynamicModule, Module } from '@nestjs/common';
import { PlatformModule, type ServiceContext } from '@hookbus/platform';

@Module({})
export class NormalizerModule {
  static forContext(context: ServiceContext): DynamicModule {
    return { module: NormalizerModule, imports: [PlatformModule.forService(context)] };
  }
}
