import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PlatformModule, type ServiceContext } from '@hookbus/platform';
import { AccessGuard } from './auth/access-guard';
import { CONSOLE_RUNTIME, type ConsoleRuntime } from './console-runtime';
import { AssetsController } from './pages/assets.controller';
import { AuditController } from './pages/audit.controller';
import { DeadLettersController } from './pages/deadletters.controller';
import { ProcessesController } from './pages/processes.controller';
import { ReplayController } from './pages/replay.controller';
import { LoginController } from './pages/login.controller';
import { OidcController } from './pages/oidc.controller';
import { OverviewController } from './pages/overview.controller';
import { QuarantineController } from './pages/quarantine.controller';
import { ReceiptsController } from './pages/receipts.controller';
import { SearchController } from './pages/search.controller';
import { SourcesController } from './pages/sources.controller';
import { UnmaskController } from './pages/unmask';

/**
 * The console's pages: one controller per page area (apps/console/README.md, "Adding a page"). AccessGuard guards
 * every route (session, role, origin, CSRF); PlatformModule adds /health and /metrics.
 */
export const PAGE_CONTROLLERS = [AssetsController, OverviewController, LoginController, OidcController, SearchController, ReceiptsController, QuarantineController, SourcesController, UnmaskController, DeadLettersController, AuditController, ProcessesController, ReplayController];

@Module({})
export class ConsoleModule {
  static forRuntime(context: ServiceContext, runtime: ConsoleRuntime): DynamicModule {
    const checks = new Map([['read-model', () => runtime.readModel.ping()]]);
    return {
      module: ConsoleModule,
      imports: [PlatformModule.forService(context, checks)],
      controllers: PAGE_CONTROLLERS,
      providers: [{ provide: CONSOLE_RUNTIME, useValue: runtime }, { provide: APP_GUARD, useClass: AccessGuard }],
    };
  }
}
