import { type DynamicModule, Module } from '@nestjs/common';
import { LagModule, type LagMonitor } from '@hookbus/lag';
import { PlatformModule, type ServiceContext } from '@hookbus/platform';
import type { MonitorOverview } from './monitor-overview';
import { MONITOR_OVERVIEW, OverviewController } from './overview.controller';

/** Health, readiness (the newest lag sample succeeded), /metrics and /overview, around the one LagMonitor of the stack. */
@Module({})
export class MonitorModule {
  static forContext(context: ServiceContext, monitor: LagMonitor, overview: () => MonitorOverview): DynamicModule {
    const checks = new Map([['lag-sample', async () => monitor.assertSampling()]]);
    return {
      module: MonitorModule,
      imports: [PlatformModule.forService(context, checks), LagModule.forMonitor(monitor)],
      controllers: [OverviewController],
      providers: [{ provide: MONITOR_OVERVIEW, useValue: overview }],
    };
  }
}
