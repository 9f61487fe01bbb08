import type { GroupLagPoint, MonitorOverview } from '@hookbus/lag';
import { parseSpoolMetrics, renderOverview, sparklinePoints, webhookRows } from './overview-model';
import { serverSentEvent } from './overview.controller';
import { parseAuditFilter, parseDeadLetterFilter, formList } from './page-filters';

const NOW = new Date('2026-12-01T06:45:00.000Z');
const point = (lag: number, i: number): GroupLagPoint => ({ at: i, lag, lagSeconds: lag, status: 'OK' });

const MONITOR: MonitorOverview = {
  at: NOW.toISOString(),
  sampling: { lastSampledAt: NOW.toISOString(), error: null, intervalMs: 15_000 },
  groups: [{ group: 'hookbus-projector', at: 0, status: 'WARN', reason: 'lag growing', state: 'Stable', members: 1, lag: 12, lagSeconds: 95, lagTrend: 1, retention: 'OK', retentionReason: '', partitions: [], history: [0, 4, 12].map(point) }],
  credasBacklog: { records: 2, oldestSeconds: 130, lastSampledAt: null, error: null, lanes: [{ lane: '2m', topic: 't', group: 'g', status: 'STALL', members: 1, records: 2, oldestSeconds: 130, history: [] }] },
  spool: { known: false, where: 'the gateway' },
};

describe('overview model', () => {
  it('counts webhooks per source: accepted, then refusals by status, busiest source first', () => {
    expect(webhookRows([
      { source_id: 'octapush-sms', status: 'accepted', count: 2 },
      { source_id: 'credas-actor', status: 'accepted', count: 5 },
      { source_id: 'octapush-sms', status: '400', count: 1 },
      { source_id: 'octapush-sms', status: '413', count: 3 },
    ])).toEqual([
      { source: 'octapush-sms', accepted: 2, refused: [{ status: '400', count: 1 }, { status: '413', count: 3 }], total: 6 },
      { source: 'credas-actor', accepted: 5, refused: [], total: 5 },
    ]);
  });

  it.each([
    [[], ''],
    [[0, 0], '0.0,23.0 120.0,23.0'],
    [[0, 5, 10], '0.0,23.0 60.0,12.0 120.0,1.0'],
    [[7], '0.0,1.0'],
  ])('draws the sparkline of %j as %s', (lags, expected) => {
    expect(sparklinePoints(lags.map(point), (p) => p.lag)).toBe(expected);
  });

  it('reads the spool from the gateway /metrics text, or nothing when the gateway has no spool', () => {
    const text = '# HELP x\nhookbus_gateway_spool_bytes 2048\nhookbus_gateway_spool_records 3\nhookbus_gateway_spool_oldest_record_seconds 42.5\nhookbus_gateway_spool_active 1\n';
    expect(parseSpoolMetrics(text)).toEqual({ records: 3, bytes: 2048, oldestSeconds: 42.5, active: true });
    expect(parseSpoolMetrics('hookbus_gateway_requests_total 1\n')).toBeNull();
  });

  it('renders every part, escapes what it shows, and says which part is unavailable without hiding the others', () => {
    const ok = renderOverview({ monitor: MONITOR, webhooks: [{ source_id: '<b>x</b>', status: 'accepted', count: 1 }], deadLetters: [{ stage: 'normalizer', waiting: 4 }], spool: { records: 0, bytes: 0, oldestSeconds: 0, active: false }, now: NOW }).markup;
    expect(ok).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(ok).not.toContain('<b>x</b>');
    expect(ok).toContain('data-group="hookbus-projector"');
    expect(ok).toContain('95 s');
    expect(ok).toContain('<polyline');
    expect(ok).toContain('href="/deadletters?stage=normalizer">normalizer</a>: 4');
    expect(ok).toMatch(/<strong>2<\/strong> retrieval\(s\) waiting to be retried, the oldest for 2 min/);
    const down = renderOverview({ monitor: { error: 'ECONNREFUSED' }, webhooks: { error: '57P01' }, deadLetters: [], spool: { error: 'the gateway runs without a spool' }, now: NOW }).markup;
    expect(down).toContain('The monitor unavailable: ECONNREFUSED');
    expect(down).toContain('The read model unavailable: 57P01');
    expect(down).toContain('unknown: the gateway runs without a spool');
    expect(down).toContain('id="deadletters-none"');
  });

  it('draws a single sample as a dot, several as a line only', () => {
    const one = { ...MONITOR, groups: [{ ...MONITOR.groups[0]!, history: [point(3, 0)] }] };
    const render = (monitor: MonitorOverview) => renderOverview({ monitor, webhooks: [], deadLetters: [], spool: { error: 'x' }, now: NOW }).markup;
    expect(render(one)).toContain('<circle cx="2" cy="1.0" r="2"');
    expect(render(MONITOR)).not.toContain('<circle');
  });

  it('frames a server-sent event with one data line per line', () => {
    expect(serverSentEvent('overview', '<p>a</p>\n<p>b</p>')).toBe('event: overview\ndata: <p>a</p>\ndata: <p>b</p>\n\n');
  });
});

describe('page filters', () => {
  it.each([
    [{}, {}, []],
    [{ stage: 'normalizer', topic: 'webhooks.raw.credas', code: 'providers.missing_field' }, { stage: 'normalizer', topic: 'webhooks.raw.credas', code: 'providers.missing_field' }, []],
    [{ since: '2h' }, { since: new Date('2026-12-01T04:45:00.000Z') }, []],
    [{ since: '2026-11-30T00:00:00Z' }, { since: new Date('2026-11-30T00:00:00Z') }, []],
    [{ since: 'yesterday' }, {}, ['since: an ISO time or a duration such as 15m, 2h, 7d']],
    [{ stage: "x' OR 1=1" }, {}, ['stage: not a stage name']],
    [{ stage: ' ' }, {}, []],
  ])('reads the dead-letter query %j', (query, filter, ignored) => {
    expect(parseDeadLetterFilter(query, NOW)).toEqual({ filter, ignored });
  });

  it('reads the audit query, refusing an action that is none', () => {
    expect(parseAuditFilter({ actor: 'olga', action: 'redrive' })).toEqual({ filter: { actor: 'olga', action: 'redrive' }, ignored: [] });
    expect(parseAuditFilter({ action: 'nope' }).ignored).toHaveLength(1);
  });

  it('reads a checkbox field given once, several times or not at all', () => {
    expect(formList({ id: 'a' }, 'id')).toEqual(['a']);
    expect(formList({ id: ['a', '', 'b', 3] }, 'id')).toEqual(['a', 'b']);
    expect(formList({}, 'id')).toEqual([]);
    expect(formList(null, 'id')).toEqual([]);
  });
});
