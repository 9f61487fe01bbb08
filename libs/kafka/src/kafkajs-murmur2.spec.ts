/**
 * kafkajs 2.2.4 hashed every keyed record with murmur2 over BigInt-backed Longs that were never truncated (the hash
 * grew by 32 bits every 4 bytes of key): about 5 µs for a 43-byte key, a few percent of each producing stage's CPU.
 * patches/kafkajs+2.2.4.patch computes it in 32-bit integers, as Java's `Utils.murmur2` does, and its partitioner
 * no longer filters the partition list for records that carry a partition or a key. A record's partition is part of
 * the contract (co-partitioned topics, Java clients reading the same keys), so these specs hold the patched hash to
 * Java's figures and to kafkajs' own code (kept in the patched module as `longMurmur2`) on any key.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { Partitioners, type PartitionMetadata } from 'kafkajs';

type Murmur2 = ((key: Buffer | string) => number) & { longMurmur2: (key: Buffer | string) => number };
const murmur2: Murmur2 = require(join(dirname(require.resolve('kafkajs/package.json')), 'src/producer/partitioners/default/murmur2.js'));

/**
 * `org.apache.kafka.common.utils.Utils.murmur2(key.getBytes(UTF_8))` and its partition of 12 (`toPositive(h) % 12`),
 * printed by kafka-clients 3.9.1 (the broker's version).
 */
const JAVA: ReadonlyArray<readonly [string, number, number]> = [
  ['', 275646681, 9],
  ['a', -1563381124, 4],
  ['ab', 316155434, 2],
  ['abc', 479470107, 3],
  ['21', -973932308, 0],
  ['foobar', -790332482, 6],
  ['a-little-bit-long-string', -985981536, 8],
  ['a-little-bit-longer-string', -1486304829, 11],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971, 5],
  ['credas:1f727e5b-31e3-46de-8afc-fe9310ffbc63', -2113365268, 4],
  ['+306900000001', 459626595, 3],
  ['Ωμέγα-ключ-🔑', -300556350, 2],
];

/** Random bytes (java.util.Random seeded 20261201, lengths 1–8 then 0–63) as hex, and Utils.murmur2 of them in Java. */
const JAVA_BYTES: ReadonlyArray<readonly [string, number]> = [
  ['3d', 481461992],
  ['1ccd', 1355918973],
  ['4fc053', -1249600985],
  ['72a78608', 195531674],
  ['5ce679b18e', 1831805252],
  ['ceea105b109f', 922444866],
  ['09cc624a64ace0', 1856064492],
  ['ac7563db14d05a5d', 2021312406],
  ['c03131f80a5ebedd1d4321ce3ce314f5a11d352b76ca82c2d1cb0adcf27c6c4b442eaa887d2cc96bdc4c4ef9bd6139e0c69e9f3584', 1820904246],
  ['d83bcade0eeb8842d710', 768597697],
  ['a7cae586e96d5e9f021d308d9de9d1872f425682753da7565f8e9960fa3d6419c7ad869f', 1433032007],
  ['f0f84cec987fb73d0f4a8740b80138ee6eef7c0aa8c50951210aa939338222', 919291720],
  ['82092122', -1733186014],
  ['7493231cf2938ceea4bcafff6c809d65bb384c063e485d7d', 902154249],
  ['958911492fd64a53ec8f7ff4619d824491555ff901b189b24137e29867b02429afd72235d1', 2098149308],
  ['531384b93045694950d1a884faa075b86cc332033d79cd2825c7daf8ae495806749736c91a', -1974041949],
  ['0e0a51b5756fc8989c39b3455d10bfd25ca628c3c01c706ed852cb8b62a3b2e1f24b46153246a8c41cf7c04a8b414aa75005fc', -996218544],
  ['23001bcb6df3608274db1d2916', 1553104792],
  ['2915b7f26e38d95be3', 1583691668],
  ['12597cfd335f0735d8d46b7b8990a96892d0a4c1b00c8f7f493edc444fd72e8f4d1f0b632296', 1364122603],
];

const partitionsOf = (count: number, leaderless: readonly number[] = []): PartitionMetadata[] =>
  Array.from({ length: count }, (_, partitionId) => ({ partitionId, leader: leaderless.includes(partitionId) ? -1 : 1, partitionErrorCode: 0, replicas: [1], isr: [1] }));

describe('kafkajs murmur2 (patched to 32-bit arithmetic)', () => {
  it.each(JAVA)('hashes %j as Java does (%d), as a string and as bytes', (key, hash) => {
    expect(murmur2(key)).toBe(hash);
    expect(murmur2(Buffer.from(key, 'utf8'))).toBe(hash);
    expect(murmur2.longMurmur2(key)).toBe(hash);
  });

  it('hashes bytes with the high bit set as Java does', () => {
    // new byte[]{(byte)0x80, (byte)0xff, 0x7f, 0x00, (byte)0xfe, (byte)0x81, 0x01}: signed bytes in Java.
    expect(murmur2(Buffer.from([0x80, 0xff, 0x7f, 0x00, 0xfe, 0x81, 0x01]))).toBe(1704702581);
    // Java's figures are the reference that does not live in the patched file.
    expect(JAVA_BYTES.map(([hex]) => murmur2(Buffer.from(hex, 'hex')))).toEqual(JAVA_BYTES.map(([, hash]) => hash));
  });

  it('agrees with kafkajs’ own murmur2 on any bytes and any string', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const key = Buffer.from(bytes);
        expect(murmur2(key)).toBe(murmur2.longMurmur2(key));
      }),
      { numRuns: 2_000 },
    );
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 80 }), fc.fullUnicodeString({ maxLength: 40 }), fc.uuid().map((id) => `credas:${id}`)), (key) => {
        expect(murmur2(key)).toBe(murmur2.longMurmur2(key));
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('kafkajs DefaultPartitioner (patched)', () => {
  it.each(JAVA)('puts key %j on the partition a Java producer picks', (key, _hash, partition) => {
    const partitioner = Partitioners.DefaultPartitioner();
    expect(partitioner({ topic: 't', partitionMetadata: partitionsOf(12), message: { key, value: null } })).toBe(partition);
  });

  it('keeps a keyed record on its partition even when that partition has no leader (as Java does)', () => {
    const partitioner = Partitioners.DefaultPartitioner();
    expect(partitioner({ topic: 't', partitionMetadata: partitionsOf(12, [4]), message: { key: 'a', value: null } })).toBe(4);
  });

  it('takes an explicit partition as it is', () => {
    const partitioner = Partitioners.DefaultPartitioner();
    expect(partitioner({ topic: 't', partitionMetadata: partitionsOf(12), message: { key: 'a', partition: 7, value: null } })).toBe(7);
  });

  it('spreads records without a key over the partitions that have a leader, in turn', () => {
    const partitioner = Partitioners.DefaultPartitioner();
    const metadata = partitionsOf(6, [1, 4]);
    const picked = Array.from({ length: 8 }, () => partitioner({ topic: 't', partitionMetadata: metadata, message: { value: null } }));
    expect(new Set(picked)).toEqual(new Set([0, 2, 3, 5]));
    // Round robin: four records in a row land on four different partitions.
    expect(new Set(picked.slice(0, 4)).size).toBe(4);
  });

  it('moves the round robin only for records without partition or key', () => {
    const metadata = partitionsOf(5);
    const unkeyed = { value: null };
    const alone = Partitioners.DefaultPartitioner();
    const mixed = Partitioners.DefaultPartitioner();
    const first = alone({ topic: 't', partitionMetadata: metadata, message: unkeyed });
    const firstMixed = mixed({ topic: 't', partitionMetadata: metadata, message: unkeyed });
    // Each starts at a random place; what is compared is how far the next unkeyed record moves (1, in turn).
    const step = (p: number, q: number) => (q - p + 5) % 5;
    const aloneNext = alone({ topic: 't', partitionMetadata: metadata, message: unkeyed });
    mixed({ topic: 't', partitionMetadata: metadata, message: { key: 'k', value: null } });
    mixed({ topic: 't', partitionMetadata: metadata, message: { partition: 3, value: null } });
    const mixedNext = mixed({ topic: 't', partitionMetadata: metadata, message: unkeyed });
    expect(step(firstMixed, mixedNext)).toBe(step(first, aloneNext));
    expect(step(first, aloneNext)).toBe(1);
  });
});
