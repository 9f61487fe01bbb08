import { Controller, Get, Header, Inject } from '@nestjs/common';
import type { SourceAuth, SourceConfig } from '@hookbus/config';
import { CurrentSession } from '../auth/access';
import type { ConsoleSession } from '../auth/sessions';
import { CONSOLE_RUNTIME, type ConsoleRuntime } from '../console-runtime';
import { SOURCE_ACTIVITY_DAYS, type SourceActivity } from '../read-model';
import { html, type Html } from '../views/html';
import { HTML_CONTENT_TYPE, layout, when } from '../views/layout';

/** Authvia disables a subscription after 50 failed deliveries (docs/providers/authvia.md). */
export const AUTHVIA_DISABLE_AFTER = 50;

/** How a source authenticates, in words, never with its secret (the console loads the config without credentials). */
export function authDescription(auth: SourceAuth): string {
  switch (auth.type) {
    case 'token':
      return `token in the query parameter "${auth.param}"`;
    case 'header':
      return `shared secret in the header "${auth.name}"`;
    case 'basic':
      return 'HTTP Basic';
    case 'authvia':
      return `Authvia signature (tolerance ${auth.toleranceSeconds} s)`;
    case 'standard-webhooks':
      return `Standard Webhooks signature (tolerance ${auth.toleranceSeconds} s)`;
    case 'none':
      return 'none: accepts unauthenticated requests';
  }
}

/** The URL to give the provider: the gateway's public base, the source's path, and where the secret goes. */
export function providerUrl(base: string, source: SourceConfig): string {
  const url = `${base}/webhooks/${source.id}`;
  return source.auth.type === 'token' ? `${url}?${source.auth.param}=<the source's token>` : url;
}

/** GET /sources: every configured source, what to give its provider, and what it sent lately. */
@Controller('sources')
export class SourcesController {
  constructor(@Inject(CONSOLE_RUNTIME) private readonly runtime: ConsoleRuntime) {}

  @Get()
  @Header('content-type', HTML_CONTENT_TYPE)
  async list(@CurrentSession() session: ConsoleSession): Promise<string> {
    const activity = await this.runtime.readModel.sourceActivity();
    const sources = this.runtime.context.config.sources;
    const base = this.runtime.settings.webhookBaseUrl;
    return layout(
      { title: 'Sources', nav: '/sources' },
      session,
      html`<p>Every source the configuration names. Counts are receipts in the read model over the last ${SOURCE_ACTIVITY_DAYS} days: accepted went on to
<code>webhooks.raw.*</code>, refused are the quarantined ones (authenticated, then refused). Requests refused before authentication (401, 429) are not recorded; the gateway's metrics count them.</p>
${
  sources.length === 0
    ? html`<p class="notice">No source is configured.</p>`
    : html`<table id="sources"><thead><tr><th scope="col">source</th><th scope="col">URL to give the provider</th><th scope="col">auth</th><th scope="col">last request</th><th scope="col">accepted</th><th scope="col">refused</th><th scope="col">risk</th></tr></thead><tbody>
${sources.map((s) => row(s, activity.get(s.id), base))}</tbody></table>`
}`,
    );
  }
}

function row(source: SourceConfig, activity: SourceActivity | undefined, base: string): Html {
  return html`<tr id="source-${source.id}"><td><strong>${source.id}</strong><br><span class="muted">${source.provider} ${source.kind}; ${source.methods.join(', ')}</span></td>
  <td><code>${providerUrl(base, source)}</code></td>
  <td>${source.auth.type === 'none' ? html`<span class="badge bad">${authDescription(source.auth)}</span>` : authDescription(source.auth)}</td>
  <td>${activity?.last_received_at ? when(activity.last_received_at) : html`<span class="muted">none</span>`}</td>
  <td>${activity?.accepted ?? 0}</td><td>${activity?.refused ?? 0}</td>
  <td>${risk(source, activity)}</td></tr>`;
}

function risk(source: SourceConfig, activity: SourceActivity | undefined): Html {
  if (source.provider !== 'authvia') return html`<span class="muted">-</span>`;
  const failures = activity?.refused_since_accepted ?? 0;
  const level = failures >= 40 ? 'bad' : failures >= 25 ? 'warn' : '';
  return html`<span class="badge ${level}" title="refused since the last accepted delivery">${failures} / ${AUTHVIA_DISABLE_AFTER} failures</span><br><span class="muted">Authvia disables the subscription at ${AUTHVIA_DISABLE_AFTER}; only recorded refusals count here</span>`;
}
