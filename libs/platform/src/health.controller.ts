import { Controller, Get, Header, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthIndicatorResult } from '@nestjs/terminus';
import { READINESS_CHECKS, SERVICE_CONTEXT, type ReadinessChecks, type ServiceContext } from './service-context';

/** `/health/live` says the process serves requests; `/health/ready` runs the service's dependency checks. */
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessChecks,
    @Inject(SERVICE_CONTEXT) private readonly context: ServiceContext,
  ) {}

  /** The pid lets a test harness that starts services as processes tell its own child from whatever took the port. */
  @Get('health/live')
  @HealthCheck()
  live() {
    return this.health.check([async (): Promise<HealthIndicatorResult> => ({ process: { status: 'up', service: this.context.name, pid: process.pid } })]);
  }

  @Get('health/ready')
  @HealthCheck()
  ready() {
    return this.health.check(
      [...this.checks].map(([name, check]) => async (): Promise<HealthIndicatorResult> => {
        try {
          await check();
          return { [name]: { status: 'up' } };
        } catch (error) {
          return { [name]: { status: 'down', message: error instanceof Error ? error.message : String(error) } };
        }
      }),
    );
  }

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  metrics(): Promise<string> {
    return this.context.metrics.metrics();
  }
}
