/** Parsing what Apache Kafka's ProducerPerformance and ConsumerPerformance print (bench/lib/kafka-perf.ts). */
import { consumerArgs, consumerProps, emptyPartitions, parseConsumerPerformance, parseProducerPerformance, producerProps } from '../../bench/lib/kafka-perf';

// Printed by kafka-tools 3.9.1 on 2026-12-01 (100,000 records of 330 bytes, acks=all, idempotent).
const PRODUCER_OUT = [
  '17267 records sent, 3451.3 records/sec (1.09 MB/sec), 651.8 ms avg latency, 3411.0 ms max latency.',
  '70848 records sent, 14138.5 records/sec (4.45 MB/sec), 2658.7 ms avg latency, 3483.0 ms max latency.',
  '100000 records sent, 9408.222787 records/sec (2.96 MB/sec), 2406.63 ms avg latency, 3662.00 ms max latency, 2734 ms 50th, 3480 ms 95th, 3599 ms 99th, 3640 ms 99.9th.',
  '',
].join('\n');
const CONSUMER_OUT = '2026-12-01 02:53:12:420, 2026-12-01 02:53:20:343, 31.4713, 3.9721, 100000, 12621.4818, 1971, 5952, 5.2875, 16801.0753\n';

describe('parseProducerPerformance', () => {
  it('takes the closing totals line, not a progress line', () => {
    expect(parseProducerPerformance(PRODUCER_OUT)).toEqual({ records: 100000, recordsPerSec: 9408.222787, mbPerSec: 2.96, avgLatencyMs: 2406.63, maxLatencyMs: 3662, p50Ms: 2734, p99Ms: 3599 });
  });

  it('refuses output with progress lines only (a run cut short)', () => {
    expect(() => parseProducerPerformance(PRODUCER_OUT.split('\n').slice(0, 2).join('\n'))).toThrow(/no totals line/);
  });
});

describe('parseConsumerPerformance', () => {
  it('reads the records, the rate with and without the group join', () => {
    expect(parseConsumerPerformance(`WARNING: something\n${CONSUMER_OUT}`)).toEqual({ mb: 31.4713, records: 100000, recordsPerSec: 12621.4818, rebalanceMs: 1971, fetchMs: 5952, fetchRecordsPerSec: 16801.0753 });
  });

  it('refuses output without the totals line (the tool timed out or failed)', () => {
    expect(() => parseConsumerPerformance('WARNING: Exiting before consuming the expected number of messages: timeout (10000 ms) exceeded.\n')).toThrow(/no totals line/);
  });
});

describe('producerProps', () => {
  it('states the gateway producer: acks=all, idempotent, one request in flight, its linger, its batch spread over the partitions', () => {
    const props = producerProps('127.0.0.1:1', { lingerMs: 2, maxBatchRecords: 1000, maxBatchBytes: 16 * 1024 * 1024 }, 330, 6);
    expect(props).toEqual(
      expect.arrayContaining(['acks=all', 'enable.idempotence=true', 'max.in.flight.requests.per.connection=1', 'linger.ms=2', `batch.size=${167 * 400}`, 'compression.type=none']),
    );
  });

  it('leaves the spreading of keyless records to the producer\'s own partitioner (RoundRobinPartitioner left half the partitions empty)', () => {
    const props = producerProps('127.0.0.1:1', { lingerMs: 2, maxBatchRecords: 1000, maxBatchBytes: 16 * 1024 * 1024 }, 618, 6);
    expect(props.filter((p) => p.startsWith('partitioner.'))).toEqual([]);
  });

  it('never asks for a batch above the gateway\'s byte bound', () => {
    expect(producerProps('127.0.0.1:1', { lingerMs: 2, maxBatchRecords: 1000, maxBatchBytes: 10_000 }, 330, 1)).toContain('batch.size=10000');
  });
});

describe('emptyPartitions', () => {
  it('names the partitions a fresh topic got no record in, in order', () => {
    // What RoundRobinPartitioner left in kafka-clients 3.9.1: 300,000 records over 3 of 6 partitions.
    const offsets = [5, 0, 1, 4, 3, 2].map((partition) => ({ partition, offset: [100000, 100000, 0, 100000, 0, 0][partition]!.toString() }));
    expect(emptyPartitions(offsets, 6)).toEqual([2, 4, 5]);
  });

  it('counts a partition the broker reported nothing for as empty', () => {
    expect(emptyPartitions([{ partition: 0, offset: '10' }, { partition: 2, offset: '10' }], 3)).toEqual([1]);
  });

  it('finds none when every partition holds records', () => {
    expect(emptyPartitions([49365, 50163, 50245, 49855, 50140, 50232].map((n, partition) => ({ partition, offset: String(n) })), 6)).toEqual([]);
  });
});

describe('consumerProps and consumerArgs', () => {
  const stages = { fetchMinBytes: 131072, fetchMaxWaitMs: 100, maxBytesPerPartition: 1048576, maxFetchBytes: 4194304 };

  it('give ConsumerPerformance the stages\' fetch settings, not the Java defaults (fetch.max.wait.ms 500, fetch.max.bytes 50 MiB)', () => {
    expect(consumerProps(stages)).toEqual(['fetch.min.bytes=131072', 'fetch.max.wait.ms=100', 'fetch.max.bytes=4194304']);
  });

  it('put the per-partition bound in --fetch-size, which the tool applies after its --consumer.config', () => {
    expect(consumerArgs({ ...stages, maxBytesPerPartition: 2097152 }, '/tmp/c.properties')).toEqual(['--consumer.config', '/tmp/c.properties', '--fetch-size', '2097152']);
  });
});
