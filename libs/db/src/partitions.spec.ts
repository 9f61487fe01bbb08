import { createPartitionSql, isExpired, monthStart, nextMonthStart, partitionName, uuidFloor, uuidV7Millis } from './partitions';

describe('monthly partitions', () => {
  const ms = Date.UTC(2025, 1, 14, 10, 30); // 2025-02-14T10:30Z

  it('reads the time of a uuid v7 and refuses other uuids', () => {
    expect(uuidV7Millis('0194ff6b-0000-7000-8000-000000000000')).toBe(0x0194ff6b0000);
    expect(uuidV7Millis('0194ff6b-0000-4000-8000-000000000000')).toBeNull();
    expect(uuidV7Millis('not-a-uuid')).toBeNull();
  });

  it('bounds a month of uuid v7 ids so that every id minted in it falls inside', () => {
    const from = uuidFloor(monthStart(ms));
    const to = uuidFloor(nextMonthStart(ms));
    const hex = ms.toString(16).padStart(12, '0');
    const id = `${hex.slice(0, 8)}-${hex.slice(8)}-7fff-bfff-ffffffffffff`;
    expect(from < id && id < to).toBe(true);
    expect(uuidV7Millis(from.replace(/-0000-/, '-7000-'))).toBe(monthStart(ms));
  });

  it.each([
    [Date.UTC(2025, 0, 31, 23, 59), Date.UTC(2025, 0, 1), Date.UTC(2025, 1, 1)],
    [Date.UTC(2024, 11, 5), Date.UTC(2024, 11, 1), Date.UTC(2025, 0, 1)],
  ])('month of %d starts at %d and ends at %d', (at, start, end) => {
    expect(monthStart(at)).toBe(start);
    expect(nextMonthStart(at)).toBe(end);
  });

  it('names partitions by table and month', () => {
    expect(partitionName('receipts', ms)).toBe('receipts_p202502');
    expect(createPartitionSql('events', ms)).toBe(
      "CREATE TABLE IF NOT EXISTS hookbus.events_p202502 PARTITION OF hookbus.events FOR VALUES FROM ('2025-02-01T00:00:00.000Z') TO ('2025-03-01T00:00:00.000Z')",
    );
  });

  it('expires a month only once all of it is older than the horizon', () => {
    expect(isExpired(ms, Date.UTC(2025, 2, 1))).toBe(true);
    expect(isExpired(ms, Date.UTC(2025, 1, 28, 23))).toBe(false);
  });
});
