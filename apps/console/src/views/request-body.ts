import type { PersonalDataView } from '../personal-data-mask';
import { html, type Html } from './html';

const HEX_LIMIT = 64 * 1024;
/** How much of a body the inspector shows as text: a 16 MiB body (Cellosign's limit) is not rendered whole. */
export const TEXT_LIMIT = 256 * 1024;

/**
 * The first TEXT_LIMIT bytes of a longer body as text, ending before a run of word characters, digits or separators
 * the cut may have split (a phone number or an email address half shown would not be masked).
 */
function shownPart(body: Buffer): string {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(body.subarray(0, TEXT_LIMIT)).replace(/\uFFFD+$/, '');
  let end = text.length;
  const floor = Math.max(0, end - 256);
  while (end > floor && /[\p{L}\p{M}\p{N}\s._%+\-@()/]/u.test(text[end - 1]!)) end -= 1;
  return text.slice(0, end);
}

/** Whether the bytes are text a person can read: valid UTF-8 without control characters other than whitespace. */
function readableText(body: Buffer): string | null {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(body);
  if (text.includes('\uFFFD')) return null;
  return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text) ? null : text;
}

export function hexDump(body: Buffer): string {
  const lines: string[] = [];
  const shown = body.subarray(0, HEX_LIMIT);
  for (let offset = 0; offset < shown.length; offset += 16) {
    const bytes = [...shown.subarray(offset, offset + 16)].map((b) => b.toString(16).padStart(2, '0'));
    lines.push(`${offset.toString(16).padStart(8, '0')}  ${bytes.slice(0, 8).join(' ')}  ${bytes.slice(8).join(' ')}`);
  }
  if (body.length > HEX_LIMIT) lines.push(`… ${body.length - HEX_LIMIT} more bytes`);
  return lines.join('\n');
}

/**
 * A request body as received, made readable: JSON pretty-printed, a form as its fields, other text as text, anything
 * else as hex. Personal data is masked per `view` (in JSON by field name and by pattern, in text by pattern); a hex
 * dump is shown only to whoever may see personal data.
 */
export function renderBody(body: Buffer, contentType: string | null, view: PersonalDataView): Html {
  if (body.length === 0) return html`<p class="muted" id="body-kind">empty body</p>`;
  const type = (contentType ?? '').toLowerCase();
  if (body.length > TEXT_LIMIT) {
    const part = shownPart(body);
    if (readableText(Buffer.from(part)) !== null) {
      const more = body.length - Buffer.byteLength(part);
      return html`<p class="muted" id="body-kind">text, the first ${Buffer.byteLength(part)} bytes shown (truncated, ${more} bytes more)</p><pre id="body">${view.text(part)}</pre>`;
    }
  }
  const text = readableText(body);
  if (text !== null && (type.includes('json') || /^\s*[[{]/.test(text))) {
    try {
      const parsed = JSON.parse(text) as unknown;
      return html`<p class="muted" id="body-kind">JSON, pretty-printed</p><pre id="body">${JSON.stringify(view.deep(parsed), null, 2)}</pre>`;
    } catch {
      // Not JSON after all: shown as text below.
    }
  }
  if (text !== null && type.includes('application/x-www-form-urlencoded')) {
    const fields = [...new URLSearchParams(text)];
    return html`<p class="muted" id="body-kind">form fields</p><table id="body"><thead><tr><th scope="col">field</th><th scope="col">value</th></tr></thead><tbody>
${fields.map(([k, v]) => html`<tr><td><code>${k}</code></td><td>${view.query(`${encodeURIComponent(k)}=${encodeURIComponent(v)}`).slice(k.length + 1)}</td></tr>`)}</tbody></table>`;
  }
  if (text !== null) return html`<p class="muted" id="body-kind">text</p><pre id="body">${view.text(text)}</pre>`;
  if (view.masked) return html`<p class="muted" id="body-kind">binary, ${body.length} bytes: the hex dump may hold personal data and is shown unmasked only</p>`;
  return html`<p class="muted" id="body-kind">binary, shown as hex</p><pre id="body">${hexDump(body)}</pre>`;
}
