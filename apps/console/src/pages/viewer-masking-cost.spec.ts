import { findPersonalData } from '@hookbus/platform';
import { maskText } from '../personal-data-mask';
import { renderBody } from '../views/request-body';
import { personalDataView } from '../personal-data-mask';

/**
 * Security review (issue 20, DoS): maskText replaces each finding with a split/join over the whole text, so a text
 * with n distinct numbers costs O(n × length). A customer who types numbers into a Cellosign form (bodies up to
 * 16 MiB) or any sender's body blocks the console's one event loop for every user (and its health probes) each time
 * a viewer opens that receipt or its timeline.
 */
function numbers(count: number): string {
  return Array.from({ length: count }, (_, i) => `+4479${String(11_000_000 + i).padStart(8, '0')}`).join(' ');
}

describe('the cost of masking', () => {
  it('masks a 112 KB text of 8,000 distinct numbers in about the time it takes to find them', () => {
    const text = numbers(8_000);
    findPersonalData(numbers(2_000)); // warm up: libphonenumber's metadata loads on first use
    let started = process.hrtime.bigint();
    findPersonalData(text);
    const findMs = Number(process.hrtime.bigint() - started) / 1e6;
    started = process.hrtime.bigint();
    const masked = maskText(text);
    const maskMs = Number(process.hrtime.bigint() - started) / 1e6;
    expect(masked).not.toContain('7911000000');
    // Before the fix: finding took ~0.1-0.3 s, masking ~5 s (quadratic); linear masking is a small multiple of finding.
    expect(maskMs).toBeLessThan(Math.max(1_000, 5 * findMs));
  }, 120_000);

  it('the request inspector renders such a body (a JSON string field) within a second', () => {
    findPersonalData(numbers(100));
    const body = Buffer.from(JSON.stringify({ event: { type: 'WHEF_CLIENT_FORM_SUBMITTED' }, form: { notes: numbers(8_000) } }));
    const started = Date.now();
    renderBody(body, 'application/json', personalDataView(true));
    expect(Date.now() - started).toBeLessThan(1_000);
  }, 120_000);
});
