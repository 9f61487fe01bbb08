import { UsageError } from '@hookbus/config';
import type { ConsumedRecord, OutgoingRecord, PartitionRange } from '@hookbus/kafka';
import { parseReplayArgs, replayRecords, type ReplayRun } from './replay';

describe('replay command line', () => {
  it.each([
    ['a misspelt option (--dryrun republishes the whole topic)', ['--provider', 'credas', '--dryrun'], /Unknown option '--dryrun'/],
    ['--from without its value (the whole topic)', ['--provider', 'credas', '--from'], /--from/],
    ['--from followed by another option', ['--provider', 'credas', '--from', '--dry-run'], /--from/],
    ['a date that is not one', ['--provider', 'credas', '--from', 'yesterday'], /^--from: not a date/],
    ['an empty date', ['--provider', 'credas', '--to', ''], /^--to: not a date/],
    ['--from not before --to', ['--provider', 'credas', '--from', '2026-11-02T00:00:00Z', '--to', '2026-11-01T00:00:00Z'], /is not before --to/],
    ['a partition that is not a number ("published 0 events", exit 0)', ['--provider', 'credas', '--partition', 'x'], /^--partition: expected a whole number/],
    ['a negative partition', ['--provider', 'credas', '--partition', '-1'], /--partition/],
    ['an offset that is not a number', ['--provider', 'credas', '--partition', '0', '--from-offset', '1e3'], /^--from-offset: expected a whole number/],
    ['offsets without a partition', ['--provider', 'credas', '--from-offset', '5'], /need --partition/],
    ['offsets the wrong way round', ['--provider', 'credas', '--partition', '0', '--from-offset', '9', '--to-offset', '3'], /is after --to-offset/],
    ['an unknown provider', ['--provider', 'nope'], /^--provider: one of/],
    ['neither provider nor source', ['--dry-run'], /^--provider: one of/],
    ['a stray argument', ['--provider', 'credas', 'everything'], /Unexpected argument 'everything'/],
  ])('refuses %s', (_what, argv, message) => {
    expect(() => parseReplayArgs(argv)).toThrow(UsageError);
    expect(() => parseReplayArgs(argv)).toThrow(message);
  });

  it('reads a well-formed command line', () => {
    expect(parseReplayArgs(['--provider', 'octapush', '--partition', '2', '--from-offset', '100', '--to-offset', '200', '--dry-run'])).toEqual({
      provider: 'octapush',
      sourceId: undefined,
      from: undefined,
      to: undefined,
      partition: 2,
      fromOffset: '100',
      toOffset: '200',
      dryRun: true,
    });
    expect(parseReplayArgs(['--source', 'credas-actor', '--from', '2026-11-01T00:00:00Z'])).toMatchObject({ sourceId: 'credas-actor', from: new Date('2026-11-01T00:00:00Z'), dryRun: false });
  });
});

describe('replaying a range', () => {
  const raw = (partition: number, offset: number, body: string): ConsumedRecord => ({
    topic: 'webhooks.raw.credas',
    partition,
    offset: String(offset),
    key: null,
    value: Buffer.from(body),
    headers: { 'hookbus-receipt-id': `r-${partition}-${offset}` },
    timestamp: '0',
  });
  // Partition 0 holds offsets 10..13, partition 1 offsets 20..23, partition 2 (never reached) 30..33, read in that order.
  const ranges: PartitionRange[] = [
    { partition: 0, from: '10', to: '14' },
    { partition: 1, from: '20', to: '24' },
    { partition: 2, from: '30', to: '34' },
  ];
  const records = ranges.flatMap((r) => [0, 1, 2, 3].map((i) => raw(r.partition, Number(r.from) + i, `p${r.partition}-${i}`)));

  function run(overrides: Partial<ReplayRun> & { refuse?: (batch: number) => boolean } = {}) {
    const printed: string[] = [];
    const published: string[][] = [];
    const handed: string[] = [];
    let batches = 0;
    const result = replayRecords({
      ranges,
      read: async (onRecord, signal) => {
        let read = 0;
        for (const record of records) {
          if (signal.aborted) break;
          handed.push(`${record.partition}:${record.offset}`);
          await onRecord(record);
          read++;
        }
        return read;
      },
      normalize: (record) => {
        if (String(record.value) === 'p0-1') throw new Error('providers.missing_field: processId');
        return [{ topic: 'events', key: null, value: `event of ${String(record.value)}` }];
      },
      publish: async (events: readonly OutgoingRecord[]) => {
        if (overrides.refuse?.(batches++)) throw new Error('Request Produce(key: 0, version: 7) timed out');
        published.push(events.map((e) => String(e.value)));
      },
      print: (line) => printed.push(line),
      batchEvents: 3,
      ...overrides,
    });
    return { result, printed, published, handed };
  }

  it('prints a record that fails to normalize and goes on with the rest', async () => {
    const { result, printed, published } = run();
    expect(await result).toEqual({ read: 12, events: 11, failed: 1 });
    expect(printed).toEqual(['0:11 receipt r-0-11: providers.missing_field: processId']);
    expect(published.flat()).toHaveLength(11);
  });

  it('stops at a batch Kafka does not take, reads no further, and names per partition the offset to resume from', async () => {
    // Batches of 3 events: [p0-0, p0-2, p0-3] is taken, [p1-0, p1-1, p1-2] is not.
    const { result, published, handed } = run({ refuse: (batch) => batch === 1 });
    const { stopped, ...counts } = await result;
    expect(counts).toEqual({ read: 7, events: 6, failed: 1 });
    expect(published).toEqual([['event of p0-0', 'event of p0-2', 'event of p0-3']]);
    expect(handed).toEqual(['0:10', '0:11', '0:12', '0:13', '1:20', '1:21', '1:22']);
    expect(stopped?.error).toEqual(new Error('Request Produce(key: 0, version: 7) timed out'));
    // Partition 0 is done; partition 1 from its first unacknowledged record; partition 2 whole.
    expect(stopped?.resume).toEqual([
      { partition: 1, from: '20', to: '24' },
      { partition: 2, from: '30', to: '34' },
    ]);
  });

  it('a dry run publishes nothing', async () => {
    const { result, published } = run({ publish: null });
    expect(await result).toEqual({ read: 12, events: 11, failed: 1 });
    expect(published).toEqual([]);
  });
});

