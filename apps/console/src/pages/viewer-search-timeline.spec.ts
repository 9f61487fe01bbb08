import type { Timeline } from '@hookbus/db';
import { ReadModel } from '../read-model';
import { startHarness, type Harness } from '../console-harness';

/**
 * Security review (issue 20): the search timeline as a viewer sees it (read model stubbed). An Octapush source
 * without defaultPhoneRegion keeps a national number it cannot place as its digits, so the communication id, the
 * events' subjects and the transitions' keys carry it; the masking's phone finder knows only UK national numbers.
 */
const ID = 'octapush:sms:0612345678';

describe('the search timeline, as a viewer', () => {
  let h: Harness;
  let viewer: string;
  beforeAll(async () => {
    h = await startHarness([{ name: 'viewer', role: 'viewer', password: 'viewer-password-123', params: { N: 1024, r: 8, p: 1 } }]);
    viewer = (await h.login('viewer', 'viewer-password-123')).cookie;
  });
  afterAll(() => h.close());

  it('masks the phone number inside communication ids, subjects, keys and event data', async () => {
    const at = new Date('2026-12-01T06:00:00Z');
    const timeline: Timeline = {
      query: 'CRM-10442',
      processes: [],
      communications: [{ communication_id: ID, provider: 'octapush', channel: 'sms', status: 'delivered', provider_status: { code: 'Delivered', text: null }, final: true, process_key: null, updated_at: at }],
      receipts: [],
      events: [{ event_id: 'e1', time: at, topic: 'events.communication.v1', type: 'communication.status', subject: ID, provider: 'octapush', receipt_id: null, data: { status: 'delivered', tokens: { phone: 33612345678 } } }],
      transitions: [{ kind: 'communication', key: ID, seq: 1, from_status: null, to_status: 'delivered', final: true, requires_action: false, reason: null, at }],
      results: [],
      entries: [],
      truncated: false,
    };
    jest.spyOn(ReadModel.prototype, 'timeline').mockResolvedValueOnce(timeline);
    const page = await h.request('/search?q=CRM-10442', { cookie: viewer });
    expect(page.status).toBe(200);
    expect(page.text).toContain('Phone numbers and emails are masked for viewers');
    expect(page.text).not.toContain('612345678');
  });
});
