import { Controller, Get, Header, Inject } from '@nestjs/common';
import { CurrentSession } from '../auth/access';
import type { ConsoleSession } from '../auth/sessions';
import { CONSOLE_RUNTIME, type ConsoleRuntime } from '../console-runtime';
import { html } from '../views/html';
import { HTML_CONTENT_TYPE, layout, when } from '../views/layout';
import { personalDataNotice } from '../views/page-parts';
import { personalDataFor } from './unmask';

/** GET /quarantine: requests that authenticated but were refused (400, 413, 415...), newest first, with the reason. */
@Controller('quarantine')
export class QuarantineController {
  constructor(@Inject(CONSOLE_RUNTIME) private readonly runtime: ConsoleRuntime) {}

  @Get()
  @Header('content-type', HTML_CONTENT_TYPE)
  async list(@CurrentSession() session: ConsoleSession): Promise<string> {
    const view = await personalDataFor(this.runtime, session, 'quarantine list');
    const rows = await this.runtime.readModel.quarantined();
    const notice = personalDataNotice(session, view, '/quarantine');
    return layout(
      { title: 'Quarantine', nav: '/quarantine' },
      session,
      html`<p>Requests that proved they came from their provider but were refused (malformed, too large, unsupported content type). Each went to <code>webhooks.quarantine</code>, never further; open one to see it as received.</p>
${notice}
${
  rows.length === 0
    ? html`<p class="notice" id="quarantine-empty">Nothing is quarantined.</p>`
    : html`<table id="quarantine"><thead><tr><th scope="col">received</th><th scope="col">source</th><th scope="col">request</th><th scope="col">refused</th><th scope="col">reason</th></tr></thead><tbody>
${rows.map(
  (r) => html`<tr><td>${when(r.received_at)}</td><td>${r.source_id}</td>
  <td><a href="/receipts/${r.receipt_id}">${r.method} ${view.text(r.path)}${r.query ? `?${view.query(r.query)}` : ''}</a><br><span class="muted">${r.content_type ?? '-'}, ${r.body_bytes} bytes${r.body_truncated ? ', stored truncated' : ''}</span></td>
  <td><span class="badge bad">${r.refused_status ?? '-'}</span></td><td>${r.refused_reason === null ? '-' : view.text(r.refused_reason)}</td></tr>`,
)}</tbody></table>${rows.length >= 200 ? html`<p class="muted">The newest 200.</p>` : ''}`
}`,
    );
  }
}
