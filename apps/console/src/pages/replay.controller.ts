import { Body, Controller, Get, Header, Inject, Post, Query, Res, ServiceUnavailableException } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { PROVIDERS, errorFields } from '@hookbus/contracts';
import { CurrentSession, RequireRole } from '../auth/access';
import type { ConsoleSession } from '../auth/sessions';
import { ActionRefused, type ReplayRequest } from '../console-actions';
import { CONSOLE_RUNTIME, type ConsoleRuntime } from '../console-runtime';
import { html, type Html } from '../views/html';
import { HTML_CONTENT_TYPE, csrfField, layout } from '../views/layout';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function field(body: unknown, name: keyof ReplayRequest): string | undefined {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** The form (operators only): provider or source, receipt time range (UTC), optionally one partition and offsets. */
function replayForm(session: ConsoleSession, values: ReplayRequest = {}): Html {
  if (session.role !== 'operator') return html`<p class="muted">Asking for a replay needs the operator role.</p>`;
  return html`<form method="post" action="/replay" id="replay-form" class="filters">${csrfField(session)}
<label>provider <select name="provider"><option value="">(the source's)</option>${PROVIDERS.map((p) => html`<option value="${p}"${values.provider === p ? html` selected` : html``}>${p}</option>`)}</select></label>
<label>source <input name="sourceId" value="${values.sourceId ?? ''}" placeholder="e.g. credas-actor"></label>
<label>from (UTC) <input name="from" value="${values.from ?? ''}" placeholder="2026-11-01T00:00:00Z"></label>
<label>to (UTC) <input name="to" value="${values.to ?? ''}" placeholder="2026-11-02T00:00:00Z"></label>
<label>partition <input name="partition" value="${values.partition ?? ''}" inputmode="numeric"></label>
<label>from offset <input name="fromOffset" value="${values.fromOffset ?? ''}" inputmode="numeric"></label>
<label>to offset <input name="toOffset" value="${values.toOffset ?? ''}" inputmode="numeric"></label>
<button type="submit">Replay</button></form>`;
}

const EXPLAIN = html`<p>Re-normalizes a range of a raw topic (webhooks.raw.&lt;provider&gt;) after an adapter fix and publishes the events again with the ids they had: the normalizer runs the replay of <code>npm run replay</code> on a command sent through normalizer.commands.v1. Replaying twice is harmless (event ids are deterministic). A source or partition that does not exist, or records that still fail, make the command a dead letter (stage normalizer).</p>`;

/**
 * GET /replay: the replay form (operators) and, after a request, "replay requested" with its command id.
 * POST /replay (operator; CSRF and origin checked by AccessGuard): publishes the replay command and its raw.replay
 * audit record in one batch (ConsoleActions.replay); what the command's codec refuses is a 400 and nothing is sent.
 */
@Controller('replay')
export class ReplayController {
  constructor(@Inject(CONSOLE_RUNTIME) private readonly runtime: ConsoleRuntime) {}

  @Get()
  @Header('content-type', HTML_CONTENT_TYPE)
  page(@CurrentSession() session: ConsoleSession, @Query('requested') requested?: string): string {
    const notice = requested && UUID.test(requested)
      ? html`<p class="notice" role="status" id="replay-requested">Replay requested (command ${requested}); the normalizer publishes the range's events again. Its progress is in the normalizer's log; a refused command appears under Dead letters.</p>`
      : html``;
    return layout({ title: 'Replay a raw range', nav: '/replay' }, session, html`${notice}${EXPLAIN}${replayForm(session)}`);
  }

  @Post()
  @RequireRole('operator')
  async replay(@CurrentSession() session: ConsoleSession, @Body() body: unknown, @Res() reply: FastifyReply): Promise<void> {
    const actions = this.runtime.actions;
    if (!actions) throw new ServiceUnavailableException('actions are not available in this console');
    const request: ReplayRequest = {
      provider: field(body, 'provider'),
      sourceId: field(body, 'sourceId'),
      from: field(body, 'from'),
      to: field(body, 'to'),
      partition: field(body, 'partition'),
      fromOffset: field(body, 'fromOffset'),
      toOffset: field(body, 'toOffset'),
    };
    try {
      const command = await actions.replay(session, request);
      reply.status(303).header('location', `/replay?requested=${encodeURIComponent(command.commandId)}`).send();
    } catch (error) {
      if (!(error instanceof ActionRefused)) {
        this.runtime.context.logger.warn({ err: errorFields(error) }, 'console: replay request failed');
        throw new ServiceUnavailableException('The replay command could not be written to Kafka; nothing was asked. Try again.');
      }
      reply.status(400).type(HTML_CONTENT_TYPE).send(layout({ title: 'Replay a raw range', nav: '/replay' }, session, html`<p class="notice error" role="alert">${error.message}</p>${replayForm(session, request)}`));
    }
  }
}
