import { Controller, Inject, Param, Post, Res, ServiceUnavailableException } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { errorFields } from '@hookbus/contracts';
import { CurrentSession, RequireRole } from '../auth/access';
import type { ConsoleSession } from '../auth/sessions';
import { ActionRefused, credasProcessId } from '../console-actions';
import { CONSOLE_RUNTIME, type ConsoleRuntime } from '../console-runtime';
import { html, type Html } from '../views/html';
import { HTML_CONTENT_TYPE, csrfField, layout } from '../views/layout';

/**
 * The "Fetch again from Credas" button for a process (operator; a page that shows a Credas process includes it):
 * a form posting to POST /processes/:processKey/refetch. Nothing for a process of another provider or a viewer.
 */
export function refetchButton(session: ConsoleSession | undefined, processKey: string): Html {
  if (session?.role !== 'operator' || credasProcessId(processKey) === null) return html``;
  return html`<form method="post" action="/processes/${encodeURIComponent(processKey)}/refetch" class="inline">${csrfField(session)}<button type="submit" class="refetch">Fetch again from Credas</button></form>`;
}

/**
 * POST /processes/:processKey/refetch (operator): asks the orchestrator to retrieve a Credas process again, through
 * the shared command of `npm run credas:refetch` on orchestrator.credas.commands.v1, audited. Back to the process's
 * timeline with a notice; the new results appear there once the orchestrator has published them.
 */
@Controller('processes')
export class ProcessesController {
  constructor(@Inject(CONSOLE_RUNTIME) private readonly runtime: ConsoleRuntime) {}

  @Post(':processKey/refetch')
  @RequireRole('operator')
  async refetch(@CurrentSession() session: ConsoleSession, @Param('processKey') processKey: string, @Res() reply: FastifyReply): Promise<void> {
    const actions = this.runtime.actions;
    if (!actions) throw new ServiceUnavailableException('actions are not available in this console');
    try {
      const outcome = await actions.refetch(session, processKey);
      reply.status(303).header('location', `/search?q=${encodeURIComponent(processKey)}&refetch=${encodeURIComponent(outcome.commandId)}`).send();
    } catch (error) {
      if (!(error instanceof ActionRefused)) {
        this.runtime.context.logger.warn({ err: errorFields(error) }, 'console: re-fetch failed');
        throw new ServiceUnavailableException('The re-fetch could not be written to Kafka; nothing was asked. Try again.');
      }
      reply.status(400).type(HTML_CONTENT_TYPE).send(layout({ title: 'Fetch again' }, session, html`<p class="notice error" role="alert">${error.message}</p>`));
    }
  }
}
