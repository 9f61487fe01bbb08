import { Controller, Get, Header, Inject, Query } from '@nestjs/common';
import type { Timeline } from '@hookbus/db';
import { CurrentSession } from '../auth/access';
import type { ConsoleSession } from '../auth/sessions';
import { CONSOLE_RUNTIME, type ConsoleRuntime } from '../console-runtime';
import type { PersonalDataView } from '../personal-data-mask';
import { html, type Html } from '../views/html';
import { HTML_CONTENT_TYPE, layout, when } from '../views/layout';
import { personalDataNotice, prettyJson, providerStatus, statusBadge } from '../views/page-parts';
import { refetchButton } from './processes.controller';
import { personalDataFor } from './unmask';

type Row = Record<string, unknown>;

/** One line of the merged timeline. */
interface Entry {
  readonly at: number;
  readonly time: unknown;
  readonly kind: 'receipt' | 'event' | 'transition' | 'result';
  readonly body: Html;
}

const timeOf = (value: unknown): number => (value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) || 0 : 0);

/** GET /search?q=: one box, one timeline (libs/db loadTimeline), newest first, the current state on top. */
@Controller()
export class SearchController {
  constructor(@Inject(CONSOLE_RUNTIME) private readonly runtime: ConsoleRuntime) {}

  @Get('search')
  @Header('content-type', HTML_CONTENT_TYPE)
  async search(@CurrentSession() session: ConsoleSession, @Query('q') q?: string, @Query('refetch') refetch?: string): Promise<string> {
    const query = (typeof q === 'string' ? q : '').trim().slice(0, 512);
    const view = await personalDataFor(this.runtime, session, `search ${query}`);
    const form = html`<form class="search" method="get" action="/search" role="search">
  <label for="q" class="skip">Search</label>
  <input id="q" type="search" name="q" value="${query}" placeholder="processKey, communicationId, entity id, receipt id, Credas ProcessId, Authvia id, Cellosign session id or phone" autofocus>
  <button type="submit">Search</button>
</form>`;
    if (!query) {
      return layout({ title: 'Search', nav: '/search' }, session, html`${form}<p class="muted">Type any id support was given: a processKey such as <code>credas:&lt;ProcessId&gt;</code>, a communicationId, an entity id, a receipt id, or a phone number.</p>`);
    }
    const started = process.hrtime.bigint();
    const timeline = view.deep(await this.runtime.readModel.timeline(query));
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const notice = personalDataNotice(session, view, `/search?${new URLSearchParams({ q: query }).toString()}`);
    return layout({ title: `Timeline for ${view.text(query)}`, nav: '/search' }, session, html`${form}${refetch ? html`<p class="notice" role="status" id="refetch-requested">Asked the orchestrator to fetch this process again (command ${refetch.slice(0, 64)}); its new results appear here once retrieved.</p>` : ''}${notice}${renderTimeline(timeline, view, (key) => refetchButton(session, key))}<p class="muted">Answered in ${ms.toFixed(0)} ms.</p>`);
  }
}

export function renderTimeline(t: Timeline, view: PersonalDataView, processActions: (processKey: string) => Html | string = () => ''): Html {
  const empty = [t.processes, t.communications, t.receipts, t.events, t.transitions, t.results].every((rows) => rows.length === 0);
  if (empty) return html`<p class="notice" id="nothing-found">Nothing found for this query.</p>`;
  return html`
<h2>Current state</h2>
<div class="cards" id="current-state">
${[...t.processes].sort(newestFirst('updated_at')).map(
  (p) => html`<section class="card" aria-label="process ${p.process_key}"><h3>Process ${p.process_key}</h3><dl class="facts">
    <dt>status</dt><dd>${statusBadge(p.status, p.final)}${p.status_reason ? html` <span class="muted">${p.status_reason}</span>` : ''}</dd>
    <dt>provider's status</dt><dd>${providerStatus(p.provider_status)}</dd>
    <dt>entity</dt><dd>${p.entity_id ?? '-'}</dd>
    <dt>updated</dt><dd>${when(p.updated_at)}</dd></dl>${processActions(String(p.process_key))}</section>`,
)}
${[...t.communications].sort(newestFirst('updated_at')).map(
  (c) => html`<section class="card" aria-label="communication ${c.communication_id}"><h3>${c.channel ?? 'communication'} ${c.communication_id}</h3><dl class="facts">
    <dt>status</dt><dd>${statusBadge(c.status, c.final)}</dd>
    <dt>provider's status</dt><dd>${providerStatus(c.provider_status)}</dd>
    <dt>process</dt><dd>${c.process_key ?? '-'}</dd>
    <dt>updated</dt><dd>${when(c.updated_at)}</dd></dl></section>`,
)}
</div>
${t.results.length > 0 ? html`<h2>Results</h2>${resultsTable(t.results)}` : ''}
<h2>Timeline <span class="muted">(newest first)</span></h2>
<table id="timeline"><thead><tr><th scope="col">time</th><th scope="col">what</th><th scope="col">detail</th></tr></thead><tbody>
${entries(t, view).map((e) => html`<tr class="entry-${e.kind}"><td>${when(e.time)}</td><td><span class="badge">${e.kind}</span></td><td>${e.body}</td></tr>`)}
</tbody></table>`;
}

function resultsTable(results: Row[]): Html {
  return html`<table id="results"><thead><tr><th scope="col">retrieved</th><th scope="col">process</th><th scope="col">checks</th><th scope="col">PDF report</th></tr></thead><tbody>
${results.map(
  (r) => html`<tr class="result"><td>${when(r.retrieved_at)}</td><td>${r.process_key}</td><td>${r.active_checks} active checks</td>
    <td>${r.report_stored ? html`PDF stored, ${r.report_bytes} bytes, sha256 <code>${String(r.report_sha256 ?? '').slice(0, 16)}…</code>` : r.report_ref ? html`PDF at ${r.report_ref}` : 'no PDF'}</td></tr>`,
)}</tbody></table>`;
}

function newestFirst(field: string): (a: Row, b: Row) => number {
  return (a, b) => timeOf(b[field]) - timeOf(a[field]);
}

function entries(t: Timeline, view: PersonalDataView): Entry[] {
  const list: Entry[] = [];
  for (const r of t.receipts) {
    list.push({
      at: timeOf(r.received_at),
      time: r.received_at,
      kind: 'receipt',
      body: html`<a href="/receipts/${String(r.receipt_id)}">${r.method} ${r.path}${r.query ? `?${view.query(String(r.query))}` : ''}</a>
        <span class="muted">${r.content_type ?? '-'}, ${r.body_bytes} bytes</span>${r.quarantined ? html` <span class="badge bad">quarantined ${r.refused_status ?? ''} ${r.refused_reason ?? ''}</span>` : ''}`,
    });
  }
  for (const e of t.events) {
    list.push({
      at: timeOf(e.time),
      time: e.time,
      kind: 'event',
      body: html`<code>${e.type}</code> ${e.subject} ${eventSummary(e.data)}${e.receipt_id ? html` <a class="muted" href="/receipts/${String(e.receipt_id)}">receipt</a>` : ''}
        <details><summary>data</summary><pre>${prettyJson(e.data)}</pre></details>`,
    });
  }
  for (const x of t.transitions) {
    list.push({
      at: timeOf(x.at),
      time: x.at,
      kind: 'transition',
      body: html`${x.key} #${x.seq}: ${x.from_status ?? '∅'} → ${statusBadge(x.to_status, x.final)}${x.requires_action ? html` <span class="badge warn">needs action</span>` : ''}${x.reason ? html` <span class="muted">${x.reason}</span>` : ''}`,
    });
  }
  for (const r of t.results) {
    list.push({
      at: timeOf(r.retrieved_at),
      time: r.retrieved_at,
      kind: 'result',
      body: html`Credas result for ${r.process_key}: ${r.active_checks} active checks, ${r.report_stored ? html`PDF report stored (${r.report_bytes} bytes)` : r.report_ref ? `PDF report at ${String(r.report_ref)}` : 'no PDF report'}`,
    });
  }
  // Newest first; at one instant, results after transitions after events after receipts read bottom-up as they happened.
  const order = { receipt: 0, event: 1, transition: 2, result: 3 };
  return list.sort((a, b) => b.at - a.at || order[b.kind] - order[a.kind]);
}

function eventSummary(data: unknown): string {
  if (!data || typeof data !== 'object') return '';
  const d = data as Record<string, unknown>;
  if (typeof d.to === 'string') return `${String(d.from ?? '∅')} → ${d.to}`;
  if (typeof d.status === 'string') return `status ${d.status}${d.final ? ' (final)' : ''}`;
  if (typeof d.updateTypeName === 'string') return d.updateTypeName;
  return '';
}
