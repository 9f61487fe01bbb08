import type { ConsoleSession } from '../auth/sessions';
import type { PersonalDataView } from '../personal-data-mask';
import { html, type Html } from './html';

/** The provider's own status: `{ code, text }` as the read model stores it. */
export function providerStatus(value: unknown): string {
  if (!value || typeof value !== 'object') return '-';
  const { code, text } = value as { code?: unknown; text?: unknown };
  return [code, text].filter((v) => v !== null && v !== undefined && v !== '').join(' · ') || '-';
}

export function statusBadge(status: unknown, final: unknown): Html {
  const text = String(status ?? '-');
  const bad = /fail|reject|error|expired|cancel|undeliver|declin/i.test(text);
  return html`<span class="badge${bad ? ' bad' : final ? ' final' : ''}">${text}</span>${final ? html` <span class="badge final">final</span>` : ''}`;
}

/**
 * What a page says about personal data: masked (and, for an operator, the audited link that unmasks it), or shown.
 * `unmaskHref` is the same page with `unmask=1`.
 */
export function personalDataNotice(session: ConsoleSession | undefined, view: PersonalDataView, unmaskHref: string, maskHref: string): Html {
  if (!view.masked) return html`<p class="notice">Personal data shown (this was recorded in the audit). <a href="${maskHref}">Mask it again</a></p>`;
  if (session?.role === 'operator') return html`<p class="muted">Phone numbers and emails are masked. <a href="${unmaskHref}" id="unmask">Show personal data</a> (recorded in the audit)</p>`;
  return html`<p class="muted">Phone numbers and emails are masked for viewers.</p>`;
}

/** Pretty JSON for a <pre>, or the value as text. */
export function prettyJson(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

/** The URL of the current page with one query parameter set (or removed with null). */
export function withParam(path: string, params: Record<string, string | undefined>, name: string, value: string | null): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && k !== name) search.set(k, v);
  if (value !== null) search.set(name, value);
  const query = search.toString();
  return query ? `${path}?${query}` : path;
}
