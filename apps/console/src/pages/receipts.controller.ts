import { Controller, Get, Header, Inject, Param } from '@nestjs/common';
import { ALWAYS_SECRET_HEADERS } from '@hookbus/contracts';
import { CurrentSession } from '../auth/access';
import type { ConsoleSession } from '../auth/sessions';
import { NotFound } from '../console-errors';
import { CONSOLE_RUNTIME, type ConsoleRuntime } from '../console-runtime';
import { safeDecode, type PersonalDataView } from '../personal-data-mask';
import { html } from '../views/html';
import { HTML_CONTENT_TYPE, layout, when } from '../views/layout';
import { personalDataNotice, prettyJson } from '../views/page-parts';
import { renderBody } from '../views/request-body';
import { personalDataFor } from './unmask';

/** GET /receipts/:receiptId: one request as received (secrets removed), and what it became downstream. */
@Controller('receipts')
export class ReceiptsController {
  constructor(@Inject(CONSOLE_RUNTIME) private readonly runtime: ConsoleRuntime) {}

  @Get(':receiptId')
  @Header('content-type', HTML_CONTENT_TYPE)
  async inspect(@CurrentSession() session: ConsoleSession, @Param('receiptId') receiptId: string): Promise<string> {
    const receipt = await this.runtime.readModel.receipt(receiptId);
    if (!receipt) throw new NotFound(`receipt ${receiptId.slice(0, 64)}`);
    const view = await personalDataFor(this.runtime, session, `receipt ${receipt.receipt_id}`);
    const events = view.deep(await this.runtime.readModel.eventsOfReceipt(receipt.receipt_id));
    const headers = this.publicHeaders(receipt.source_id, receipt.headers, view);
    const query = this.publicQuery(receipt.source_id, receipt.query);
    const path = `/receipts/${receipt.receipt_id}`;
    const notice = personalDataNotice(session, view, path);
    return layout(
      { title: `Receipt ${receipt.receipt_id}`, nav: '/search' },
      session,
      html`${notice}
<dl class="facts" id="request-line">
  <dt>received</dt><dd>${when(receipt.received_at)}</dd>
  <dt>source</dt><dd>${receipt.source_id} <span class="muted">(${receipt.provider}${receipt.kind ? ` ${receipt.kind}` : ''})</span></dd>
  <dt>method</dt><dd id="method">${receipt.method}</dd>
  <dt>path</dt><dd id="path">${view.text(receipt.path)}</dd>
  <dt>query</dt><dd id="query">${query ? view.query(query) : html`<span class="muted">none</span>`}</dd>
  <dt>content type</dt><dd>${receipt.content_type ?? '-'}</dd>
  <dt>body</dt><dd>${receipt.body_bytes} bytes${receipt.body_truncated ? ' (stored truncated)' : ''}</dd>
  ${receipt.quarantined ? html`<dt>refused</dt><dd><span class="badge bad">quarantined ${receipt.refused_status ?? ''}</span> ${view.text(receipt.refused_reason ?? '')}</dd>` : ''}
</dl>
<h2>Headers <span class="muted">(as received; credentials removed)</span></h2>
<table id="headers"><thead><tr><th scope="col">name</th><th scope="col">value</th></tr></thead><tbody>
${headers.map(([name, value]) => html`<tr><td><code>${name}</code></td><td>${value}</td></tr>`)}
</tbody></table>
<h2>Body</h2>
${renderBody(receipt.body, receipt.content_type, view)}
<h2>What it became</h2>
${
  events.length === 0
    ? html`<p class="muted" id="downstream">No event names this receipt${receipt.quarantined ? ' (a quarantined request goes no further)' : ' yet'}.</p>`
    : html`<table id="downstream"><thead><tr><th scope="col">time</th><th scope="col">type</th><th scope="col">subject</th><th scope="col">data</th></tr></thead><tbody>
${events.map(
  (e) => html`<tr><td>${when(e.time)}</td><td><code>${e.type}</code><br><span class="muted">${e.topic}</span></td>
  <td><a href="/search?q=${encodeURIComponent(String(e.subject))}">${e.subject}</a></td><td><details><summary>data</summary><pre>${prettyJson(e.data)}</pre></details></td></tr>`,
)}</tbody></table>`
}`,
    );
  }

  /** Header names and values as the projector stored them, minus any credential header (again: defence in depth). */
  private publicHeaders(sourceId: string, stored: Record<string, unknown>, view: PersonalDataView): Array<[string, string]> {
    const source = this.runtime.context.config.sources.find((s) => s.id === sourceId);
    const sourceHeader = source?.auth.type === 'header' ? source.auth.name.toLowerCase() : null;
    const entries = Object.entries(stored ?? {}).filter(([name]) => !ALWAYS_SECRET_HEADERS.has(name.toLowerCase()) && name.toLowerCase() !== sourceHeader);
    return entries.map(([name, value]) => [name, view.text(Array.isArray(value) ? value.join(', ') : String(value))]);
  }

  /** The query as stored, minus the source's token parameter should one have been kept. */
  private publicQuery(sourceId: string, query: string): string {
    const source = this.runtime.context.config.sources.find((s) => s.id === sourceId);
    if (source?.auth.type !== 'token' || !query) return query;
    const param = source.auth.param;
    return query
      .split('&')
      .filter((pair) => safeDecode(pair.split('=')[0] ?? '') !== param)
      .join('&');
  }
}
