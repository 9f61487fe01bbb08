import { cellosignTimeToUtc } from './cellosign-time';

describe('cellosignTimeToUtc', () => {
  it.each([
    ["Cellosign's example timestamp, Israeli winter (UTC+2)", '2025-01-26T08:49:33.626046', 'Asia/Jerusalem', '2025-01-26T06:49:33.626Z'],
    ['Israeli summer (UTC+3)', '2025-07-15T10:00:00.000001', 'Asia/Jerusalem', '2025-07-15T07:00:00.000Z'],
    ['just before Israel moves to summer time', '2025-03-28T01:59:59.999999', 'Asia/Jerusalem', '2025-03-27T23:59:59.999Z'],
    ['just after Israel moved to summer time', '2025-03-28T03:00:00.000000', 'Asia/Jerusalem', '2025-03-28T00:00:00.000Z'],
    ['the default zone UTC', '2025-01-26T08:49:33.626046', 'UTC', '2025-01-26T08:49:33.626Z'],
    ['no fraction', '2025-01-26T08:49:33', 'Asia/Jerusalem', '2025-01-26T06:49:33.000Z'],
    ['an explicit offset, which wins over the zone', '2025-01-26T08:49:33.626046+01:00', 'Asia/Jerusalem', '2025-01-26T07:49:33.626Z'],
    ['an explicit Z', '2025-07-15T10:00:00.5Z', 'Asia/Jerusalem', '2025-07-15T10:00:00.500Z'],
  ])('reads %s', (_what, timestamp, zone, expected) => {
    expect(cellosignTimeToUtc(timestamp, zone)).toBe(expected);
  });

  it.each(['yesterday', '', '26/01/2025 08:49', '2025-13-40T99:00:00'])('returns null for %j', (timestamp) => {
    expect(cellosignTimeToUtc(timestamp, 'Asia/Jerusalem')).toBeNull();
  });
});
