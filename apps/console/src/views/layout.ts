import type { ConsoleSession } from '../auth/sessions';
import { CSRF_FIELD } from '../auth/access';
import { html, type Html } from './html';

export const HTML_CONTENT_TYPE = 'text/html; charset=utf-8';

/**
 * The navigation, in order. A new page area adds its entry here and its controller in console.module.ts
 * (apps/console/README.md, "Adding a page").
 */
export const NAV: ReadonlyArray<{ readonly href: string; readonly label: string }> = [
  { href: '/', label: 'Overview' },
  { href: '/search', label: 'Search' },
  { href: '/deadletters', label: 'Dead letters' },
  { href: '/quarantine', label: 'Quarantine' },
  { href: '/sources', label: 'Sources' },
  { href: '/replay', label: 'Replay' },
  { href: '/audit', label: 'Audit' },
];

export interface PageInfo {
  /** The <title> and the page's heading. */
  readonly title: string;
  /** The NAV entry this page belongs to (its href). */
  readonly nav?: string;
}

/** The hidden form field every POST form of a session carries. */
export function csrfField(session: ConsoleSession): Html {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${session.csrfToken}">`;
}

/**
 * A whole page: header with navigation, who is logged in (and a logout button), then the page's body under its
 * heading. No inline script or style (CSP): the stylesheet is /assets/console.css.
 */
export function layout(page: PageInfo, session: ConsoleSession | undefined, body: Html, options: { scripts?: readonly string[]; refreshTo?: string } = {}): string {
  const nav = session
    ? html`<nav aria-label="Console">${NAV.map((n) => html`<a href="${n.href}"${n.href === page.nav ? html` aria-current="page"` : ''}>${n.label}</a>`)}</nav>
      <div class="who"><span>${session.user} <span class="badge">${session.role}</span></span>
        <form method="post" action="/logout">${csrfField(session)}<button type="submit">Log out</button></form></div>`
    : '';
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${page.title} · hookbus console</title>
<link rel="stylesheet" href="/assets/console.css">
${(options.scripts ?? []).map((src) => html`<script src="${src}" defer></script>`)}
${options.refreshTo ? html`<meta http-equiv="refresh" content="0;url=${options.refreshTo}">` : ''}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top"><a class="brand" href="/">hookbus console</a>${nav}</header>
<main id="main">
<h1>${page.title}</h1>
${body}
</main>
</body>
</html>
`.markup;
}

/** An error page (403, 404, 429...): the layout with a message, never a stack trace. */
export function errorPage(status: number, message: string, session: ConsoleSession | undefined): string {
  return layout({ title: `${status}` }, session, html`<p class="notice error" role="alert">${message}</p><p><a href="/search">Back to search</a></p>`);
}

/** ISO time, shortened to the second, for tables. */
export function when(value: unknown): string {
  if (value instanceof Date) return value.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
  if (typeof value === 'string') return value;
  return '-';
}
