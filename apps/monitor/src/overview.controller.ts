import { Controller, Get, Header, Inject } from '@nestjs/common';
import type { MonitorOverview } from './monitor-overview';

export const MONITOR_OVERVIEW = Symbol('MONITOR_OVERVIEW');

/** `GET /overview`: every group's status and lag with its recent history, and the Credas backlog, as JSON. */
@Controller()
export class OverviewController {
  constructor(@Inject(MONITOR_OVERVIEW) private readonly overview: () => MonitorOverview) {}

  @Get('overview')
  @Header('cache-control', 'no-store')
  get(): MonitorOverview {
    return this.overview();
  }
}
