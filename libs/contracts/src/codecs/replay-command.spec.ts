import fc from 'fast-check';
import { InvalidRecordError } from '../errors';
import { describeViolations, validateRecord } from '../schemas/event-validator';
import { PROVIDERS } from '../topics';
import type { EncodedRecord, RecordMessage } from './kafka-record';
import { decodeReplayCommand, encodeReplayCommand, type ReplayCommand } from './replay-command.codec';

function consumed(record: EncodedRecord): RecordMessage {
  return { topic: record.topic, key: record.key === null ? null : Buffer.from(record.key), value: record.value, headers: { ...record.headers } };
}

function message(value: unknown): RecordMessage {
  return { topic: 'normalizer.commands.v1', key: null, value: value === undefined ? null : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)), headers: {} };
}

const base = { type: 'replay', commandId: '0b7f9a8e-4a55-4b7e-9d1e-3c1f5f0e2a11', provider: 'credas', requestedBy: 'olga', requestedAt: '2026-12-01T07:00:00.000Z' } as const;

describe('replay command codec', () => {
  it.each([
    ['no value', undefined, 'normalizer.empty_record'],
    ['bytes that are not JSON', '{nope', 'normalizer.invalid_json'],
    ['another command type', { ...base, type: 'refetch' }, 'normalizer.unknown_command'],
    ['a JSON array', [base], 'normalizer.unknown_command'],
    ['a commandId that is not a UUID', { ...base, commandId: 'x' }, 'normalizer.invalid_command'],
    ['an unknown provider', { ...base, provider: 'nope' }, 'normalizer.invalid_command'],
    ['no provider (the CLI needs --provider or --source)', { ...base, provider: undefined }, 'normalizer.invalid_command'],
    ['an empty source', { ...base, sourceId: ' ' }, 'normalizer.invalid_command'],
    ['a time that is not one', { ...base, from: 'yesterday' }, 'normalizer.invalid_command'],
    ['an empty time', { ...base, to: '' }, 'normalizer.invalid_command'],
    ['a time without its zone', { ...base, from: '2026-11-01T00:00:00' }, 'normalizer.invalid_command'],
    ['from not before to', { ...base, from: '2026-11-02T00:00:00Z', to: '2026-11-01T00:00:00Z' }, 'normalizer.invalid_command'],
    ['from equal to to', { ...base, from: '2026-11-02T00:00:00Z', to: '2026-11-02T00:00:00Z' }, 'normalizer.invalid_command'],
    ['a partition that is not a number', { ...base, partition: 'x' }, 'normalizer.invalid_command'],
    ['a negative partition', { ...base, partition: -1 }, 'normalizer.invalid_command'],
    ['a fractional partition', { ...base, partition: 1.5 }, 'normalizer.invalid_command'],
    ['an offset that is not a whole number', { ...base, partition: 0, fromOffset: '1e3' }, 'normalizer.invalid_command'],
    ['an offset as a number', { ...base, partition: 0, fromOffset: 5 }, 'normalizer.invalid_command'],
    ['offsets without a partition', { ...base, fromOffset: '5' }, 'normalizer.invalid_command'],
    ['offsets the wrong way round', { ...base, partition: 0, fromOffset: '9', toOffset: '3' }, 'normalizer.invalid_command'],
    ['no requestedBy', { ...base, requestedBy: undefined }, 'normalizer.invalid_command'],
    ['no requestedAt', { ...base, requestedAt: undefined }, 'normalizer.invalid_command'],
  ])('refuses %s', (_what, value, code) => {
    let thrown: unknown;
    try {
      decodeReplayCommand(message(value));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidRecordError);
    expect((thrown as InvalidRecordError).code).toBe(code);
  });

  it('refuses to encode what it would refuse to decode', () => {
    expect(() => encodeReplayCommand({ ...base, partition: 0, fromOffset: '9', toOffset: '3' })).toThrow(/is after toOffset/);
  });

  it('keys a command by its id on normalizer.commands.v1, and drops absent fields', () => {
    const record = encodeReplayCommand({ ...base, sourceId: 'credas-actor', from: '2026-11-01T00:00:00Z' });
    expect(record.topic).toBe('normalizer.commands.v1');
    expect(record.key).toBe(base.commandId);
    expect(JSON.parse(record.value!.toString())).toEqual({ ...base, sourceId: 'credas-actor', from: '2026-11-01T00:00:00Z' });
  });

  const command: fc.Arbitrary<ReplayCommand> = fc
    .record(
      {
        commandId: fc.uuid(),
        provider: fc.constantFrom(...PROVIDERS),
        sourceId: fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim() !== ''),
        range: fc.tuple(fc.integer({ min: 0, max: 2e12 }), fc.integer({ min: 1, max: 1e10 })),
        partition: fc.nat(20),
        offsets: fc.tuple(fc.bigInt({ min: 0n, max: 2n ** 62n }), fc.bigInt({ min: 0n, max: 2n ** 20n })),
        requestedBy: fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim() !== ''),
        requestedAt: fc.integer({ min: 0, max: 4e12 }).map((ms) => new Date(ms).toISOString()),
      },
      { requiredKeys: ['commandId', 'provider', 'requestedBy', 'requestedAt'] },
    )
    .map(({ range, partition, offsets, ...rest }) => ({
      type: 'replay' as const,
      ...rest,
      ...(range ? { from: new Date(range[0]).toISOString(), to: new Date(range[0] + range[1]).toISOString() } : {}),
      ...(partition !== undefined ? { partition, ...(offsets ? { fromOffset: String(offsets[0]), toOffset: String(offsets[0] + offsets[1]) } : {}) } : {}),
    }));

  it('round-trips every valid command, and what it writes is a ReplayCommand of the schema', () => {
    fc.assert(
      fc.property(command, (value) => {
        const record = encodeReplayCommand(value);
        expect(decodeReplayCommand(consumed(record))).toEqual(value);
        const check = validateRecord({ topic: record.topic, key: Buffer.from(record.key!), value: record.value, headers: record.headers });
        expect(describeViolations(check)).toBe('normalizer.commands.v1: valid replayCommand');
      }),
    );
  });
});
