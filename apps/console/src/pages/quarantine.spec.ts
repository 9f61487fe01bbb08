import { ReadModel, type ReceiptRow } from '../read-model';
import { startHarness, type Harness } from '../console-harness';

/** The quarantine list as a viewer sees it: the refusal reason quotes what the sender sent, so it is masked too. */
describe('the quarantine list, as a viewer', () => {
  let h: Harness;
  let viewer: string;
  beforeAll(async () => {
    h = await startHarness([{ name: 'viewer', role: 'viewer', password: 'viewer-password-123', params: { N: 1024, r: 8, p: 1 } }]);
    viewer = (await h.login('viewer', 'viewer-password-123')).cookie;
  });
  afterAll(() => h.close());

  it('masks a phone number or email in the refusal reason', async () => {
    const row: ReceiptRow = {
      receipt_id: '01936b2a-0c00-7000-8000-0000000000ab', received_at: new Date('2026-12-01T06:00:00Z'), source_id: 'octapush-sms', provider: 'octapush', kind: 'sms',
      method: 'POST', path: '/webhooks/octapush-sms', query: '', headers: {}, content_type: 'application/json', body: Buffer.alloc(0), body_bytes: 10,
      quarantined: true, refused_status: 400, refused_reason: 'invalid JSON near "phone":+306912345678 for maria.p@example.com', body_truncated: false,
    };
    jest.spyOn(ReadModel.prototype, 'quarantined').mockResolvedValueOnce([row]);
    const page = await h.request('/quarantine', { cookie: viewer });
    expect(page.status).toBe(200);
    expect(page.text).toContain('invalid JSON near');
    expect(page.text).not.toContain('306912345678');
    expect(page.text).not.toContain('maria.p@');
  });
});
