import type { ConsoleSession } from '../auth/sessions';
import type { PersonalDataView } from '../personal-data-mask';
import { html, type Html } from './html';
import { csrfField } from './layout';

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
 * What a page says about personal data: masked (and, for an operator, the audited button that unmasks it for 10
 * minutes), or shown (and the button that masks it again). `here` is the page's own path and query.
 */
export function personalDataNotice(session: ConsoleSession | undefined, view: PersonalDataView, here: string): Html {
  if (!session) return html``;
  if (!view.masked) {
    return html`<form class="notice" method="post" action="/mask" id="personal-data">${csrfField(session)}<input type="hidden" name="next" value="${here}">
  Personal data shown until ${new Date(session.unmaskedUntil).toISOString().slice(11, 16)} UTC (each page is recorded in the audit). <button type="submit">Mask it again</button></form>`;
  }
  if (session.role === 'operator') {
    return html`<form class="muted" method="post" action="/unmask" id="personal-data">${csrfField(session)}<input type="hidden" name="next" value="${here}">
  Phone numbers and emails are masked. <button type="submit" class="link" id="unmask">Show personal data</button> (recorded in the audit)</form>`;
  }
  return html`<p class="muted" id="personal-data">Phone numbers and emails are masked for viewers.</p>`;
}

/** Pretty JSON for a <pre>, or the value as text. */
export function prettyJson(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}
