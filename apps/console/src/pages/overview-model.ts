import type { GroupLagPoint, MonitorOverview } from '@hookbus/lag';
import type { SourceStatusCount, StageCount } from '../operations-queries';
import { html, type Html } from '../views/html';

/**
 * The overview page's model and its rendering (pure): the monitor's verdicts (lag of every group with its history,
 * the Credas backlog — the console computes no lag), webhooks per source and status over the last hour and dead
 * letters per stage from the read model, and the gateway spool from the gateway's own /metrics.
 */
export interface SpoolState {
  readonly records: number;
  readonly bytes: number;
  readonly oldestSeconds: number;
  readonly active: boolean;
}

export interface OverviewInputs {
  /** The monitor's GET /overview, or why it could not be read. */
  readonly monitor: MonitorOverview | { readonly error: string };
  readonly webhooks: readonly SourceStatusCount[] | { readonly error: string };
  readonly deadLetters: readonly StageCount[] | { readonly error: string };
  readonly spool: SpoolState | { readonly error: string };
  readonly now: Date;
}

export interface WebhookRow {
  readonly source: string;
  readonly accepted: number;
  /** Refused (quarantined) by HTTP status. */
  readonly refused: ReadonlyArray<{ readonly status: string; readonly count: number }>;
  readonly total: number;
}

/** Webhooks per source: accepted, then refusals by status; sources with most traffic first. */
export function webhookRows(counts: readonly SourceStatusCount[]): WebhookRow[] {
  const bySource = new Map<string, { accepted: number; refused: Map<string, number> }>();
  for (const c of counts) {
    const entry = bySource.get(c.source_id) ?? { accepted: 0, refused: new Map<string, number>() };
    if (c.status === 'accepted') entry.accepted += c.count;
    else entry.refused.set(c.status, (entry.refused.get(c.status) ?? 0) + c.count);
    bySource.set(c.source_id, entry);
  }
  return [...bySource]
    .map(([source, e]) => {
      const refused = [...e.refused].sort(([a], [b]) => a.localeCompare(b)).map(([status, count]) => ({ status, count }));
      return { source, accepted: e.accepted, refused, total: e.accepted + refused.reduce((s, r) => s + r.count, 0) };
    })
    .sort((a, b) => b.total - a.total || a.source.localeCompare(b.source));
}

/**
 * The polyline points of a sparkline of `value` over the points (oldest left), scaled to the largest value (a flat
 * line at the bottom when all are 0); '' without points.
 */
export function sparklinePoints(points: readonly GroupLagPoint[], value: (p: GroupLagPoint) => number, width = 120, height = 24): string {
  if (points.length === 0) return '';
  const max = Math.max(...points.map(value), 0);
  const step = points.length > 1 ? width / (points.length - 1) : 0;
  return points
    .map((p, i) => {
      const y = max === 0 ? height - 1 : height - 1 - (value(p) / max) * (height - 2);
      return `${(i * step).toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
}

function sparkline(points: readonly GroupLagPoint[], label: string): Html {
  const line = sparklinePoints(points, (p) => p.lag);
  if (line === '') return html`<span class="muted">-</span>`;
  const max = Math.max(...points.map((p) => p.lag));
  // One sample is a point, not a line: drawn as a dot so the cell is not blank right after the monitor started.
  const dot = points.length === 1 ? html`<circle cx="2" cy="${line.split(',')[1]!}" r="2" fill="currentColor"/>` : '';
  return html`<svg class="sparkline" width="120" height="24" viewBox="0 0 120 24" role="img" aria-label="${label}: lag over the last ${points.length} samples, at most ${max} records"><polyline fill="none" stroke="currentColor" stroke-width="1.5" points="${line}"/>${dot}</svg>`;
}

/** The gateway's spool series from its /metrics text (Prometheus exposition), summed over what the text holds. */
export function parseSpoolMetrics(text: string): SpoolState | null {
  const value = (name: string): number | null => {
    const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
    if (line === undefined) return null;
    const n = Number(line.slice(line.lastIndexOf(' ') + 1));
    return Number.isFinite(n) ? n : null;
  };
  const records = value('hookbus_gateway_spool_records');
  if (records === null) return null;
  return { records, bytes: value('hookbus_gateway_spool_bytes') ?? 0, oldestSeconds: value('hookbus_gateway_spool_oldest_record_seconds') ?? 0, active: (value('hookbus_gateway_spool_active') ?? 0) > 0 };
}

function statusClass(status: string): string {
  return status === 'OK' ? 'final' : status === 'WARN' ? 'warn' : 'bad';
}

function seconds(s: number): string {
  if (s < 120) return `${s.toFixed(0)} s`;
  if (s < 7200) return `${(s / 60).toFixed(0)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

function failed(what: string, error: string): Html {
  return html`<p class="notice error" role="alert">${what} unavailable: ${error}</p>`;
}

/** The overview's live part: what the page shows first and what each server-sent event replaces. */
export function renderOverview(inputs: OverviewInputs): Html {
  const { monitor, webhooks, deadLetters, spool } = inputs;
  const rows = 'error' in webhooks ? null : webhookRows(webhooks);
  return html`<p class="muted" id="overview-at">As of ${inputs.now.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z')}.</p>
<section aria-labelledby="h-webhooks"><h2 id="h-webhooks">Webhooks, last hour</h2>
${
  rows === null
    ? failed('The read model', (webhooks as { error: string }).error)
    : rows.length === 0
      ? html`<p class="notice" id="webhooks-none">No webhook in the last hour.</p>`
      : html`<table id="webhooks"><thead><tr><th scope="col">source</th><th scope="col">accepted</th><th scope="col">refused</th></tr></thead><tbody>
${rows.map((r) => html`<tr data-source="${r.source}"><td>${r.source}</td><td class="num" data-accepted="${r.accepted}">${r.accepted}</td><td>${r.refused.length === 0 ? '0' : r.refused.map((x) => html`<span class="badge bad">${x.status}: ${x.count}</span> `)}</td></tr>`)}
</tbody></table>`
}</section>
<section aria-labelledby="h-groups"><h2 id="h-groups">Consumer groups</h2>
${
  'error' in monitor
    ? failed('The monitor', monitor.error)
    : html`${monitor.sampling.error ? failed('The newest lag sample', monitor.sampling.error) : ''}
<table id="groups"><thead><tr><th scope="col">group</th><th scope="col">status</th><th scope="col">state</th><th scope="col">lag (records)</th><th scope="col">lag (time)</th><th scope="col">last ${monitor.groups[0]?.history.length ?? 0} samples</th></tr></thead><tbody>
${monitor.groups.map(
  (g) => html`<tr data-group="${g.group}"><td>${g.group}</td><td><span class="badge ${statusClass(g.status)}" title="${g.reason}">${g.status}</span>${g.retention !== 'OK' ? html` <span class="badge bad" title="${g.retentionReason}">retention ${g.retention}</span>` : ''}</td>
<td>${g.state} (${g.members})</td><td class="num">${g.lag}</td><td class="num">${seconds(g.lagSeconds)}</td><td>${sparkline(g.history, g.group)}</td></tr>`,
)}</tbody></table>`
}</section>
<div class="cards">
<section class="card" aria-labelledby="h-dead"><h2 id="h-dead">Dead letters waiting</h2>
${
  'error' in deadLetters
    ? failed('The read model', deadLetters.error)
    : deadLetters.length === 0
      ? html`<p id="deadletters-none">None.</p>`
      : html`<ul id="deadletters-per-stage">${deadLetters.map((d) => html`<li><a href="/deadletters?stage=${encodeURIComponent(d.stage)}">${d.stage}</a>: ${d.waiting}</li>`)}</ul>`
}</section>
<section class="card" aria-labelledby="h-credas"><h2 id="h-credas">Credas retrieval backlog</h2>
${
  'error' in monitor
    ? html`<p class="muted">unknown (monitor unavailable)</p>`
    : html`<p id="credas-backlog"><strong>${monitor.credasBacklog.records}</strong> retrieval(s) waiting to be retried${monitor.credasBacklog.records > 0 ? `, the oldest for ${seconds(monitor.credasBacklog.oldestSeconds)}` : ''}.</p>
<ul>${monitor.credasBacklog.lanes.map((l) => html`<li>${l.lane} lane: ${l.records} ${sparkline(l.history, `${l.lane} lane`)}</li>`)}</ul>`
}</section>
<section class="card" aria-labelledby="h-spool"><h2 id="h-spool">Gateway spool</h2>
${
  'error' in spool
    ? html`<p class="muted" id="spool">unknown: ${spool.error}</p>`
    : html`<p id="spool">${spool.active ? html`<span class="badge bad">spooling</span> ` : ''}${spool.records} record(s) waiting on the gateway's disk${spool.records > 0 ? `, the oldest for ${seconds(spool.oldestSeconds)}` : ''}.</p>`
}</section>
</div>`;
}
