import { ReadModel, type ReceiptRow } from '../read-model';
import { startHarness, type Harness } from '../console-harness';

/**
 * Security review (issue 20): the request inspector as a viewer sees it, over HTTP, with the read model stubbed (one
 * receipt as the projector stores it). The sender controls the body, the query and most headers.
 */
const RECEIPT_ID = '01936b2a-0c00-7000-8000-0000000000aa';

function receipt(over: Partial<ReceiptRow>): ReceiptRow {
  return {
    receipt_id: RECEIPT_ID,
    received_at: new Date('2026-12-01T06:00:00Z'),
    source_id: 'octapush-sms',
    provider: 'octapush',
    kind: 'sms',
    method: 'POST',
    path: '/webhooks/octapush-sms',
    query: '',
    headers: { 'content-type': 'application/json' },
    content_type: 'application/json',
    body: Buffer.from('{}'),
    body_bytes: 2,
    quarantined: false,
    refused_status: null,
    refused_reason: null,
    body_truncated: false,
    ...over,
  };
}

describe('the request inspector, as a viewer', () => {
  let h: Harness;
  let viewer: string;
  const stored = jest.spyOn(ReadModel.prototype, 'receipt');
  jest.spyOn(ReadModel.prototype, 'eventsOfReceipt').mockResolvedValue([]);

  beforeAll(async () => {
    h = await startHarness(
      [{ name: 'viewer', role: 'viewer', password: 'viewer-password-123', params: { N: 1024, r: 8, p: 1 } }],
      'sources:\n  - { id: octapush-sms, provider: octapush, kind: sms, auth: { type: token, value: "${OCTAPUSH_TOKEN}" } }\n',
    );
    viewer = (await h.login('viewer', 'viewer-password-123')).cookie;
  });
  afterAll(() => h.close());

  it('does not show a viewer the phone number of a body whose template wrote it as a JSON number', async () => {
    const body = Buffer.from('{"status":"Delivered","phone":306912345678}');
    stored.mockResolvedValueOnce(receipt({ body, body_bytes: body.length }));
    const page = await h.request(`/receipts/${RECEIPT_ID}`, { cookie: viewer });
    expect(page.status).toBe(200);
    expect(page.text).toContain('Phone numbers and emails are masked for viewers');
    expect(page.text).not.toContain('306912345678');
  });

  it('does not show a viewer a URL-encoded phone number or email in a header', async () => {
    stored.mockResolvedValueOnce(receipt({ headers: { 'content-type': 'application/json', referer: 'https://crm.example/send?to=%2B447911123456&cc=maria.p%40example.com' } }));
    const page = await h.request(`/receipts/${RECEIPT_ID}`, { cookie: viewer });
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('447911123456');
    expect(page.text).not.toContain('maria.p');
  });

  it('still shows a receipt whose sender put a malformed escape in a query parameter name (no 500)', async () => {
    // The gateway stores the query "as sent" minus the token; publicQuery's decodeURIComponent throws on `%E0%A4%A`.
    stored.mockResolvedValueOnce(receipt({ query: 'status=Delivered&%E0%A4%A=1' }));
    const page = await h.request(`/receipts/${RECEIPT_ID}`, { cookie: viewer });
    expect(page.status).toBe(200);
  });
});
