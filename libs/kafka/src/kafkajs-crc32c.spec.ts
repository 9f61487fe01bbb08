/**
 * kafkajs 2.2.4 checksums every record batch it produces with CRC-32C (recordBatch/crc32C), in a JS table loop that
 * was about 13 % of the gateway's CPU. patches/kafkajs+2.2.4.patch makes that module use @node-rs/crc32's native
 * crc32c when it loads and kafkajs' own implementation otherwise. These specs hold the module to kafkajs' own
 * implementation (recordBatch/crc32C/crc32C.js, required directly): the same unsigned value over the CRC-32C test
 * vectors and over random buffers, in a batch kafkajs encodes, on the native path and on the fallback.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import { dirname, join } from 'node:path';
import fc from 'fast-check';

type Checksum = (buffer: Buffer) => number;

const crc32CDir = join(dirname(require.resolve('kafkajs/package.json')), 'src/protocol/recordBatch/crc32C');
/** kafkajs' own JS CRC-32C, the implementation the patched module must agree with. */
const kafkajsJsCrc32C: Checksum = require(join(crc32CDir, 'crc32C.js'));
/** The module kafkajs' record batch encoder uses (patched). */
const kafkajsCrc32C: Checksum = require(crc32CDir);

/** kafkajs' crc32C module loaded afresh, with @node-rs/crc32 replaced by what `nodeRsCrc32` returns (or throws). */
function loadKafkajsCrc32CWith(nodeRsCrc32: () => unknown): Checksum {
  let loaded: Checksum | undefined;
  jest.isolateModules(() => {
    jest.doMock('@node-rs/crc32', nodeRsCrc32);
    loaded = require(crc32CDir);
  });
  jest.dontMock('@node-rs/crc32');
  return loaded!;
}

const ascending32 = Buffer.from(Array.from({ length: 32 }, (_, i) => i));

// Check values: "123456789" is the CRC catalogue's check string; the 32-byte ones are RFC 3720 (iSCSI) B.4.
const vectors: Array<{ name: string; input: Buffer; crc: number }> = [
  { name: 'empty', input: Buffer.alloc(0), crc: 0x00000000 },
  { name: '"123456789"', input: Buffer.from('123456789'), crc: 0xe3069283 },
  { name: '32 zero bytes', input: Buffer.alloc(32, 0x00), crc: 0x8a9136aa },
  { name: '32 bytes 0xff', input: Buffer.alloc(32, 0xff), crc: 0x62a8ab43 },
  { name: '32 bytes ascending 0..31', input: ascending32, crc: 0x46dd794e },
  { name: '32 bytes descending 31..0', input: Buffer.from(ascending32).reverse(), crc: 0x113fdb5c },
  // A view into a larger buffer, as Encoder.buffer is: only the view's bytes count.
  { name: '"123456789" as a view at offset 3', input: Buffer.from('xyz123456789xyz').subarray(3, 12), crc: 0xe3069283 },
];

describe("kafkajs' record batch CRC-32C (patched to @node-rs/crc32)", () => {
  it.each(vectors)('$name: the known unsigned value, the same as kafkajs\' JS implementation', ({ input, crc }) => {
    expect(kafkajsJsCrc32C(input)).toBe(crc);
    expect(kafkajsCrc32C(input)).toBe(crc);
  });

  it("any buffer, at any offset in a larger one: the same value as kafkajs' JS implementation, unsigned 32-bit", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 9000 }), fc.nat(64), fc.nat(64), (bytes, before, after) => {
        const whole = Buffer.concat([Buffer.alloc(before, 0xa5), bytes, Buffer.alloc(after, 0x5a)]);
        const view = whole.subarray(before, before + bytes.length);
        const crc = kafkajsCrc32C(view);
        expect(crc).toBe(kafkajsJsCrc32C(Buffer.from(bytes)));
        expect(Number.isInteger(crc) && crc >= 0 && crc <= 0xffffffff).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("a record batch kafkajs encodes carries the CRC-32C of its body, as kafkajs' JS implementation computes it", async () => {
    const Record = require(join(crc32CDir, '../record/v0'));
    const { RecordBatch } = require(join(crc32CDir, '../v0'));
    const records = ['a', 'webhook body'.repeat(200), ''].map((value, offsetDelta) =>
      Record({ offsetDelta, key: Buffer.from(`k${offsetDelta}`), value: Buffer.from(value), headers: { h: 'v' } }),
    );
    const batch: Buffer = (await RecordBatch({ records, firstTimestamp: 1, maxTimestamp: 1, lastOffsetDelta: 2 })).buffer;
    // FirstOffset int64, Length int32, PartitionLeaderEpoch int32, Magic int8, then CRC uint32 over the rest.
    const crcAt = 8 + 4 + 4 + 1;
    expect(batch.readUInt32BE(crcAt)).toBe(kafkajsJsCrc32C(batch.subarray(crcAt + 4)));
  });

  it('uses the native crc32c: @node-rs/crc32 loads here, and the module hands each buffer to it', () => {
    const nodeRsCrc32: { crc32c: Checksum } = jest.requireActual('@node-rs/crc32');
    expect(typeof nodeRsCrc32.crc32c).toBe('function');
    const crc32c = jest.fn(nodeRsCrc32.crc32c);
    const withNative = loadKafkajsCrc32CWith(() => ({ crc32c }));
    const input = Buffer.from('123456789');
    expect(withNative(input)).toBe(0xe3069283);
    expect(crc32c).toHaveBeenCalledWith(input);
  });

  it("falls back to kafkajs' JS implementation when @node-rs/crc32 cannot load (no binary for the platform)", () => {
    const withoutNative = loadKafkajsCrc32CWith(() => {
      throw new Error('Cannot find native binding.');
    });
    for (const { input, crc } of vectors) expect(withoutNative(input)).toBe(crc);
  });
});
