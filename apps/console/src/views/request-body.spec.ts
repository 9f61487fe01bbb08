import { personalDataView } from '../personal-data-mask';
import { hexDump, renderBody, TEXT_LIMIT } from './request-body';

const masked = personalDataView(true);
const shown = personalDataView(false);

describe('the request inspector\'s body', () => {
  it('pretty-prints JSON, masking personal data for a viewer', () => {
    const body = Buffer.from('{"phone":"+306912345678","status":"Delivered","note":"<script>"}');
    const forViewer = renderBody(body, 'application/json', masked).markup;
    expect(forViewer).toContain('JSON, pretty-printed');
    expect(forViewer).toContain('\n  &quot;status&quot;: &quot;Delivered&quot;');
    expect(forViewer).toContain('&lt;script&gt;');
    expect(forViewer).not.toContain('306912345678');
    expect(renderBody(body, 'application/json', shown).markup).toContain('+306912345678');
  });

  it('lists form fields, masking a phone field', () => {
    const markup = renderBody(Buffer.from('phone=%2B306912345678&status=Delivered'), 'application/x-www-form-urlencoded', masked).markup;
    expect(markup).toContain('form fields');
    expect(markup).toContain('<code>status</code></td><td>Delivered');
    expect(markup).not.toContain('306912345678');
  });

  it('shows other text as text, and binary as hex to whoever may see personal data only', () => {
    expect(renderBody(Buffer.from('plain +306912345678'), 'text/plain', masked).markup).not.toContain('306912345678');
    const binary = Buffer.from([0x00, 0xff, 0x10, 0x41]);
    expect(renderBody(binary, 'application/octet-stream', masked).markup).toContain('binary, 4 bytes');
    expect(renderBody(binary, 'application/octet-stream', masked).markup).not.toContain('00 ff');
    expect(renderBody(binary, 'application/octet-stream', shown).markup).toContain('00000000  00 ff 10 41');
    expect(renderBody(Buffer.alloc(0), null, masked).markup).toContain('empty body');
  });

  it('bounds the hex dump', () => {
    expect(hexDump(Buffer.alloc(70_000)).split('\n').at(-1)).toBe('… 4464 more bytes');
  });
});

describe('a body larger than the inspector shows', () => {
  it('shows the first 256 KiB as masked text, says how much more there is, and leaves no half number at the cut', () => {
    const line = 'note +447911123456 from maria.p@example.com\n';
    const body = Buffer.from(line.repeat(Math.ceil((TEXT_LIMIT + 10_000) / line.length)));
    const markup = renderBody(body, 'application/json', masked).markup;
    expect(markup).toMatch(/truncated, \d+ bytes more/);
    expect(markup.length).toBeLessThan(TEXT_LIMIT * 2);
    expect(markup).not.toMatch(/7911|maria\.p/);
    const shownBytes = Number(/the first (\d+) bytes shown/.exec(markup)?.[1]);
    expect(shownBytes).toBeLessThanOrEqual(TEXT_LIMIT);
    expect(markup).toContain(`${body.length - shownBytes} bytes more`);
  });
});
