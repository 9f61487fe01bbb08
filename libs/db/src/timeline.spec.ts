import { formatTimeline, keyKind, type Timeline, type TimelineKeyKind } from './timeline';

const empty: Timeline = { query: 'x', processes: [], communications: [], receipts: [], events: [], transitions: [], results: [], entries: [], truncated: false };

describe('formatTimeline', () => {
  it('escapes control characters and bidi overrides in provider strings, so they cannot drive the terminal', () => {
    const text = formatTimeline({
      ...empty,
      query: 'octapush:sms:+306912345678\u001b[2J',
      communications: [
        {
          communication_id: 'octapush:sms:+306912345678',
          status: 'delivered',
          final: true,
          provider_status: { code: 'DELIVRD\u001b]0;owned\u0007', text: 'ok\r\nfake line\u202etxt.exe' },
          updated_at: new Date('2026-11-30T00:00:00Z'),
        },
      ],
      transitions: [{ at: new Date('2026-11-30T00:00:00Z'), key: 'k', seq: 1, from_status: null, to_status: 'sent', reason: 'bounced\u009b31m' }],
    });
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
    expect(text).toContain('DELIVRD\\x1b]0;owned\\x07');
    expect(text).toContain('ok\\x0d\\x0afake line\\u202etxt.exe');
    expect(text).toContain('bounced\\x9b31m');
    expect(text.split('\n')[0]).toBe('hookbus timeline for octapush:sms:+306912345678\\x1b[2J');
  });

  it('escapes the query when nothing was found', () => {
    expect(formatTimeline({ ...empty, query: '\u001b[31mred' }).split('\n')[0]).toBe('hookbus timeline for \\x1b[31mred');
  });
});

describe('keyKind: what support typed, as the contract reads identities', () => {
  it.each<[string, TimelineKeyKind]>([
    ['credas:P1', 'process'],
    ['authvia:B1', 'process'],
    ['cellosign:D1', 'process'],
    // The contract's Cellosign key: a session id may hold ':' (the timeline's own pattern once called it 'other').
    ['cellosign:D12:34', 'process'],
    ['credas:P1:7:sms', 'communication'],
    ['credas:P1:7:email', 'communication'],
    ['octapush:sms:token:with:colons', 'communication'],
    ['octapush:viber:m1', 'communication'],
    ['+306912345678', 'other'],
    ['E1', 'other'],
    ['credas:P1:7:fax', 'other'],
  ])('%s is a %s key', (key, kind) => {
    expect(keyKind(key)).toBe(kind);
  });
});
