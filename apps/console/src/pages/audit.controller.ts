import { Controller, Get, Header, Inject, Query } from '@nestjs/common';
import { CONSOLE_AUDIT_ACTIONS } from '@hookbus/contracts';
import { CurrentSession } from '../auth/access';
import type { ConsoleSession } from '../auth/sessions';
import { CONSOLE_RUNTIME, type ConsoleRuntime } from '../console-runtime';
import { LIST_LIMIT, auditTrail } from '../operations-queries';
import { html } from '../views/html';
import { HTML_CONTENT_TYPE, layout, when } from '../views/layout';
import { parseAuditFilter } from './page-filters';

/**
 * GET /audit: who did what in the console and how it ended, newest first, from hookbus.console_audit (the projector
 * writes it from console.audit.v1). Filter by user and action. Targets are ids (dead-letter rows, process keys,
 * pages), never personal data.
 */
@Controller('audit')
export class AuditController {
  constructor(@Inject(CONSOLE_RUNTIME) private readonly runtime: ConsoleRuntime) {}

  @Get()
  @Header('content-type', HTML_CONTENT_TYPE)
  async list(@CurrentSession() session: ConsoleSession, @Query() query: Record<string, string | undefined>): Promise<string> {
    const { filter, ignored } = parseAuditFilter(query);
    const rows = await auditTrail(this.runtime.readModel, filter);
    const badge = (outcome: string) => (outcome === 'ok' ? 'final' : outcome === 'refused' ? 'warn' : 'bad');
    return layout(
      { title: 'Audit', nav: '/audit' },
      session,
      html`<p>Every action in the console (logins, redrives, re-fetches, replays, unmasking), as written to <code>console.audit.v1</code> and projected into <code>hookbus.console_audit</code>. An action appears here once the projector has read it.</p>
${ignored.length > 0 ? html`<p class="notice error" role="alert">Ignored: ${ignored.join('; ')}</p>` : ''}
<form method="get" action="/audit" class="filters" aria-label="Filter the audit">
  <label>User <input name="actor" value="${filter.actor ?? ''}" size="16"></label>
  <label>Action <select name="action"><option value="">any</option>${CONSOLE_AUDIT_ACTIONS.map((a) => html`<option value="${a}"${a === filter.action ? html` selected` : ''}>${a}</option>`)}</select></label>
  <button type="submit">Filter</button> <a href="/audit">Clear</a>
</form>
${
  rows.length === 0
    ? html`<p class="notice" id="audit-empty">Nothing audited${filter.actor || filter.action ? ' for this filter' : ' yet'}.</p>`
    : html`<table id="audit"><thead><tr><th scope="col">at</th><th scope="col">user</th><th scope="col">role</th><th scope="col">action</th><th scope="col">target</th><th scope="col">outcome</th><th scope="col">detail</th></tr></thead><tbody>
${rows.map(
  (r) => html`<tr data-action-id="${r.action_id}"><td>${when(r.at)}</td><td>${r.actor}</td><td>${r.role}</td><td>${r.action}</td>
<td>${r.target_kind}${r.target_ids.length > 0 ? html`: ${r.target_ids.slice(0, 5).join(', ')}${r.target_ids.length > 5 ? ` and ${r.target_ids.length - 5} more` : ''}` : ''}</td>
<td><span class="badge ${badge(r.outcome)}">${r.outcome}</span></td><td>${r.detail}</td></tr>`,
)}</tbody></table>${rows.length >= LIST_LIMIT ? html`<p class="muted">The newest ${LIST_LIMIT}.</p>` : ''}`
}`,
    );
  }
}
