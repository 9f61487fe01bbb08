/**
 * The console's only templating: a tagged template that escapes every interpolation for HTML text and attribute
 * values, unless it is already markup (`Html`, made by `html` itself or by `raw` for trusted constant text). Arrays
 * are joined; null, undefined and false render nothing.
 */
export class Html {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup;
  }
}

export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c]!);
}

function render(value: unknown): string {
  if (value instanceof Html) return value.markup;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Date) return escapeHtml(value.toISOString());
  // Anything else (a row's value of any type) as its text, escaped.
  return escapeHtml(typeof value === 'object' ? JSON.stringify(value) : String(value));
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!;
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1]!;
  });
  return new Html(out);
}

/** Markup written by this code (never text from a request, a record or the database). */
export function raw(markup: string): Html {
  return new Html(markup);
}
