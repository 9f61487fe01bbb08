import { type DynamicModule, Module } from '@nestjs/common';
import { LagModule, type LagMonitor } from '@hookbus/lag';
import { PlatformModule, type ServiceContext } from '@hookbus/platform';

/** Health, readiness (the newest lag sample succeeded) and /metrics, around the one LagMonitor of the stack. */
@Module({})
export class MonitorModule {
  static forContext(context: ServiceContext, monitor: LagMonitor): DynamicModule {
    const checks = new Map([['lag-sample', async () => monitor.assertSampling()]]);
    return {
      module: MonitorModule,
      imports: [PlatformModule.forService(context, checks), LagModule.forMonitor(monitor)],
    };
  }
}
