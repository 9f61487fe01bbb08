import { Body, Controller, HttpCode, Inject, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CurrentSession, RequireRole } from '../auth/access';
import { formField } from '../auth/access-guard';
import type { ConsoleSession } from '../auth/sessions';
import { CONSOLE_RUNTIME, type ConsoleRuntime } from '../console-runtime';
import { personalDataView, type PersonalDataView } from '../personal-data-mask';
import { safeNext } from './login.controller';

/** How long personal data stays shown after an operator's POST /unmask. */
export const UNMASK_MS = 10 * 60 * 1000;

/**
 * How a page renders personal data: masked, unless an operator unmasked it (POST /unmask, within the last 10
 * minutes); every page shown unmasked is audited with what was looked at.
 */
export async function personalDataFor(runtime: ConsoleRuntime, session: ConsoleSession | undefined, target: string, now = Date.now()): Promise<PersonalDataView> {
  if (!session || session.role !== 'operator' || session.unmaskedUntil <= now) return personalDataView(true);
  await runtime.audit.record({ user: session.user, role: session.role, action: 'view-unmasked', target });
  return personalDataView(false);
}

/** POST /unmask (operators only: a viewer gets 403) and POST /mask, each back to the page they were sent from. */
@Controller()
export class UnmaskController {
  constructor(@Inject(CONSOLE_RUNTIME) private readonly runtime: ConsoleRuntime) {}

  @Post('unmask')
  @RequireRole('operator')
  @HttpCode(303)
  async unmask(@CurrentSession() session: ConsoleSession, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    const next = safeNext(formField(body, 'next'));
    await this.runtime.audit.record({ user: session.user, role: session.role, action: 'unmask', target: next });
    session.unmaskedUntil = Date.now() + UNMASK_MS;
    reply.header('location', next);
  }

  @Post('mask')
  @HttpCode(303)
  mask(@CurrentSession() session: ConsoleSession, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply): void {
    session.unmaskedUntil = 0;
    reply.header('location', safeNext(formField(body, 'next')));
  }
}
