import { Body, Controller, Get, Header, Inject, Param, Post, Query, Res, ServiceUnavailableException } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { errorFields } from '@hookbus/contracts';
import { CurrentSession, RequireRole } from '../auth/access';
import type { ConsoleSession } from '../auth/sessions';
import { ActionRefused } from '../console-actions';
import { NotFound } from '../console-errors';
import { CONSOLE_RUNTIME, type ConsoleRuntime } from '../console-runtime';
import { LIST_LIMIT, deadLetterById, deadLetterFacets, waitingDeadLetters, type DeadLetterListRow } from '../operations-queries';
import { html, type Html } from '../views/html';
import { HTML_CONTENT_TYPE, csrfField, layout, when } from '../views/layout';
import { personalDataNotice, prettyJson } from '../views/page-parts';
import { renderBody } from '../views/request-body';
import { DEAD_LETTER_ID, formList, parseDeadLetterFilter } from './page-filters';
import { personalDataFor } from './unmask';

/**
 * GET /deadletters: the dead letters waiting (not redriven), filtered by stage, topic, error code and time; GET
 * /deadletters/:id inspects one; POST /deadletters/redrive (operator) sends one or a selection back through the
 * shared redrive (libs/kafka, what `npm run deadletters -- redrive` runs), audited. The list reads the read model:
 * a redriven dead letter leaves it once the projector has read its redrive marker.
 */
/** `?stage=...&since=...` of the filters given (empty when none). */
function filterQuery(params: Record<string, string | undefined>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) search.set(k, v);
  const text = search.toString();
  return text ? `?${text}` : '';
}

@Controller('deadletters')
export class DeadLettersController {
  constructor(@Inject(CONSOLE_RUNTIME) private readonly runtime: ConsoleRuntime) {}

  @Get()
  @Header('content-type', HTML_CONTENT_TYPE)
  async list(@CurrentSession() session: ConsoleSession, @Query() query: Record<string, string | undefined>): Promise<string> {
    const view = await personalDataFor(this.runtime, session, 'dead letters');
    const { filter, ignored } = parseDeadLetterFilter(query, new Date());
    const [rows, facets] = await Promise.all([waitingDeadLetters(this.runtime.readModel, filter), deadLetterFacets(this.runtime.readModel)]);
    const here = `/deadletters${filterQuery({ stage: query.stage, topic: query.topic, code: query.code, since: query.since })}`;
    const operator = session.role === 'operator';
    const redriven = Number.parseInt(query.redriven ?? '', 10);
    const notWaiting = Number.parseInt(query.notwaiting ?? '', 10);
    const select = (name: string, label: string, values: readonly string[], chosen: string | undefined): Html =>
      html`<label>${label} <select name="${name}"><option value="">any</option>${values.map((v) => html`<option value="${v}"${v === chosen ? html` selected` : ''}>${v}</option>`)}</select></label>`;
    return layout(
      { title: 'Dead letters', nav: '/deadletters' },
      session,
      html`<p>Records a stage could not process, waiting on <code>webhooks.deadletter</code>. A redrive sends the original record back to its topic with its key, value and headers (as <code>npm run deadletters -- redrive</code> does); it leaves this list once the projector has read the redrive.</p>
${Number.isInteger(redriven) && redriven > 0 ? html`<p class="notice" role="status" id="redrive-done">${redriven} dead letter(s) redriven.${Number.isInteger(notWaiting) && notWaiting > 0 ? ` ${notWaiting} were not waiting any more.` : ''}</p>` : ''}
${ignored.length > 0 ? html`<p class="notice error" role="alert">Ignored: ${ignored.join('; ')}</p>` : ''}
<form method="get" action="/deadletters" class="filters" aria-label="Filter dead letters">
  ${select('stage', 'Stage', facets.stages, filter.stage)} ${select('topic', 'Topic', facets.topics, filter.topic)} ${select('code', 'Error code', facets.codes, filter.code)}
  <label>Since <input name="since" value="${query.since ?? ''}" placeholder="2h, 7d or an ISO time" size="16"></label>
  <button type="submit">Filter</button> <a href="/deadletters">Clear</a>
</form>
${personalDataNotice(session, view, here)}
${
  rows.length === 0
    ? html`<p class="notice" id="deadletters-empty">No dead letter is waiting${filter.stage || filter.topic || filter.code || filter.since ? ' for this filter' : ''}.</p>`
    : html`<form method="post" action="/deadletters/redrive" id="redrive-form">${csrfField(session)}
<table id="deadletters"><thead><tr>${operator ? html`<th scope="col"><span class="visually-hidden">choose</span></th>` : ''}<th scope="col">failed</th><th scope="col">stage</th><th scope="col">code</th><th scope="col">origin</th><th scope="col">key</th><th scope="col">attempts</th></tr></thead><tbody>
${rows.map((r) => this.row(r, operator, view.text.bind(view)))}
</tbody></table>
${rows.length >= LIST_LIMIT ? html`<p class="muted">The newest ${LIST_LIMIT}; narrow the filter for older ones.</p>` : ''}
${operator ? html`<p><button type="submit" id="redrive-selected">Redrive the selected</button></p>` : html`<p class="muted">Redriving needs the operator role.</p>`}
</form>`
}`,
    );
  }

  private row(r: DeadLetterListRow, operator: boolean, text: (s: string) => string): Html {
    const label = `dead letter ${r.stage} ${r.topic}/${r.partition}@${r.offset}`;
    return html`<tr data-id="${r.id}">${operator ? html`<td><input type="checkbox" name="id" value="${r.id}" aria-label="choose ${label}"></td>` : ''}
<td><a href="/deadletters/${r.id}">${when(r.failed_at)}</a></td><td>${r.stage}</td><td><span class="badge bad">${r.error_code ?? '-'}</span></td>
<td>${r.topic}/${r.partition}@${r.offset}</td><td>${r.key === null ? '-' : text(r.key)}</td><td>${r.attempts}</td></tr>`;
  }

  @Get(':id')
  @Header('content-type', HTML_CONTENT_TYPE)
  async inspect(@CurrentSession() session: ConsoleSession, @Param('id') id: string): Promise<string> {
    if (!DEAD_LETTER_ID.test(id)) throw new NotFound('no such dead letter');
    const row = await deadLetterById(this.runtime.readModel, id);
    if (!row) throw new NotFound('no such dead letter');
    const view = await personalDataFor(this.runtime, session, `dead letter ${id}`);
    const contentType = typeof row.headers['hookbus-content-type'] === 'string' ? row.headers['hookbus-content-type'] : typeof row.headers['content-type'] === 'string' ? row.headers['content-type'] : null;
    return layout(
      { title: `Dead letter`, nav: '/deadletters' },
      session,
      html`<p><a href="/deadletters">All dead letters</a></p>
${personalDataNotice(session, view, `/deadletters/${id}`)}
<dl class="facts" id="deadletter">
  <dt>stage</dt><dd>${row.stage}</dd>
  <dt>error code</dt><dd><span class="badge bad">${row.error_code ?? '-'}</span></dd>
  <dt>error</dt><dd>${view.text(row.error)}</dd>
  <dt>origin</dt><dd>${row.topic}, partition ${row.partition}, offset ${row.offset}</dd>
  <dt>key</dt><dd>${row.key === null ? '-' : view.text(row.key)}</dd>
  <dt>attempts</dt><dd>${row.attempts}</dd>
  <dt>failed at</dt><dd>${when(row.failed_at)}</dd>
  <dt>redriven at</dt><dd id="redriven-at">${row.redriven_at ? when(row.redriven_at) : 'not redriven'}</dd>
</dl>
<h2>Headers of the original record</h2>
<pre>${prettyJson(view.deep(row.headers))}</pre>
<h2>Value (${row.payload?.length ?? 0} bytes)</h2>
${row.payload ? renderBody(row.payload, contentType, view) : html`<p class="muted">no value</p>`}
${
  session.role === 'operator' && !row.redriven_at
    ? html`<form method="post" action="/deadletters/redrive">${csrfField(session)}<input type="hidden" name="id" value="${row.id}"><button type="submit" id="redrive-one">Redrive this dead letter</button></form>`
    : ''
}`,
    );
  }

  @Post('redrive')
  @RequireRole('operator')
  async redrive(@CurrentSession() session: ConsoleSession, @Body() body: unknown, @Res() reply: FastifyReply): Promise<void> {
    const ids = formList(body, 'id').filter((id) => DEAD_LETTER_ID.test(id));
    const actions = this.runtime.actions;
    if (!actions) throw new ServiceUnavailableException('actions are not available in this console');
    try {
      const outcome = await actions.redrive(session, ids);
      reply.status(303).header('location', `/deadletters?redriven=${outcome.redriven.length}&notwaiting=${outcome.notWaiting.length}`).send();
    } catch (error) {
      if (!(error instanceof ActionRefused)) {
        this.runtime.context.logger.warn({ err: errorFields(error) }, 'console: redrive failed');
        throw new ServiceUnavailableException('The redrive could not be written to Kafka; nothing was redriven. Try again.');
      }
      reply
        .status(400)
        .type(HTML_CONTENT_TYPE)
        .send(layout({ title: 'Dead letters', nav: '/deadletters' }, session, html`<p class="notice error" role="alert">${error.message}</p><p><a href="/deadletters">Back to the dead letters</a></p>`));
    }
  }
}
