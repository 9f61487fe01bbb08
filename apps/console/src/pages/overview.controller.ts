import { Controller, Get, Header, Inject, type OnApplicationShutdown, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { MonitorOverview } from '@hookbus/lag';
import { errorFields } from '@hookbus/contracts';
import { CurrentSession, Public } from '../auth/access';
import type { ConsoleSession } from '../auth/sessions';
import { CONSOLE_RUNTIME, type ConsoleRuntime } from '../console-runtime';
import { deadLettersPerStage, webhooksPerSource } from '../operations-queries';
import { html } from '../views/html';
import { HTML_CONTENT_TYPE, layout } from '../views/layout';
import { parseSpoolMetrics, renderOverview, type OverviewInputs, type SpoolState } from './overview-model';

/** How often the live overview is pushed to each open page. */
export const OVERVIEW_EVERY_MS = 2_000;
const FETCH_TIMEOUT_MS = 1_500;

/**
 * The only script of the console: the overview's EventSource, which replaces the live part with each event's HTML
 * (rendered and escaped by the server, like every page). Without JavaScript the page is a snapshot.
 */
export const OVERVIEW_JS = `'use strict';
(function () {
  var target = document.getElementById('overview');
  if (!target || !window.EventSource) return;
  var source = new EventSource('/overview/stream');
  source.addEventListener('overview', function (event) {
    target.innerHTML = event.data;
    target.setAttribute('data-updates', String(Number(target.getAttribute('data-updates') || '0') + 1));
  });
  source.addEventListener('error', function () { target.setAttribute('data-stream', 'reconnecting'); });
  source.addEventListener('open', function () { target.setAttribute('data-stream', 'open'); });
})();
`;

/** One server-sent event: each line of `data` on its own `data:` line (the browser joins them with newlines). */
export function serverSentEvent(event: string, data: string): string {
  return `event: ${event}\n${data.split(/\r?\n/).map((line) => `data: ${line}`).join('\n')}\n\n`;
}

/**
 * GET /: the overview — webhooks per source and status over the last hour, every consumer group's status and lag
 * with a sparkline (from the monitor's /overview: the console computes no lag), dead letters per stage, the Credas
 * retrieval backlog, the gateway spool. GET /overview/stream pushes the same part every OVERVIEW_EVERY_MS as
 * server-sent events; /assets/overview.js is the EventSource.
 */
@Controller()
export class OverviewController implements OnApplicationShutdown {
  private readonly streams = new Set<() => void>();

  constructor(@Inject(CONSOLE_RUNTIME) private readonly runtime: ConsoleRuntime) {}

  @Get()
  @Header('content-type', HTML_CONTENT_TYPE)
  async page(@CurrentSession() session: ConsoleSession): Promise<string> {
    const live = renderOverview(await this.inputs());
    return layout(
      { title: 'Overview', nav: '/' },
      session,
      html`<p class="muted">Live: this page updates itself every ${OVERVIEW_EVERY_MS / 1000} s while it is open.</p><div id="overview" aria-live="polite">${live}</div>`,
      { scripts: ['/assets/overview.js'] },
    );
  }

  @Public()
  @Get('assets/overview.js')
  @Header('content-type', 'text/javascript; charset=utf-8')
  @Header('cache-control', 'public, max-age=300')
  script(): string {
    return OVERVIEW_JS;
  }

  @Get('overview/stream')
  stream(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    reply.hijack();
    const out = reply.raw;
    out.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-content-type-options': 'nosniff' });
    let timer: NodeJS.Timeout | null = null;
    let open = true;
    const stop = () => {
      open = false;
      if (timer) clearTimeout(timer);
      this.streams.delete(stop);
      out.end();
    };
    this.streams.add(stop);
    request.raw.on('close', stop);
    const push = async () => {
      try {
        const fragment = renderOverview(await this.inputs()).markup;
        if (open) out.write(serverSentEvent('overview', fragment));
      } catch (error) {
        this.runtime.context.logger.warn({ err: errorFields(error) }, 'console: overview event not made');
      }
      if (open) timer = setTimeout(() => void push(), OVERVIEW_EVERY_MS);
    };
    out.write(`retry: ${OVERVIEW_EVERY_MS}\n\n`);
    void push();
  }

  onApplicationShutdown(): void {
    for (const stop of [...this.streams]) stop();
  }

  /** Everything the overview shows, each part on its own: one that fails says why, the others still show. */
  private async inputs(): Promise<OverviewInputs> {
    const { readModel, settings } = this.runtime;
    const failure = (error: unknown) => ({ error: errorFields(error).code });
    const [monitor, webhooks, deadLetters, spool] = await Promise.all([
      fetchJson<MonitorOverview>(`${settings.monitorUrl}/overview`).catch(failure),
      webhooksPerSource(readModel, 60).catch(failure),
      deadLettersPerStage(readModel).catch(failure),
      fetchSpool(`${settings.webhookBaseUrl}/metrics`).catch(failure),
    ]);
    return { monitor, webhooks, deadLetters, spool, now: new Date() };
  }
}

async function fetchJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { accept: 'application/json' } });
  if (!response.ok) throw Object.assign(new Error(`HTTP ${response.status}`), { code: `HTTP ${response.status}` });
  return (await response.json()) as T;
}

/**
 * The spool from the gateway's /metrics (the monitor reads Kafka only, the spool is the gateway's disk). Under npm
 * start that is the one gateway; behind a load balancer it is whichever gateway answered (Prometheus sums them all).
 */
async function fetchSpool(url: string): Promise<SpoolState | { error: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  if (!response.ok) return { error: `the gateway's /metrics answered ${response.status}` };
  return parseSpoolMetrics(await response.text()) ?? { error: 'the gateway runs without a spool' };
}

