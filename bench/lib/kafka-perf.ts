/**
 * Apache Kafka's own performance tools (org.apache.kafka:kafka-tools, the broker's version): the arguments the bench
 * gives them and the parsing of what they print. Pure: bench/ceilings.ts runs them.
 */

/** ProducerPerformance's closing line: `N records sent, R records/sec (M MB/sec), A ms avg latency, X ms max latency, p50 ms 50th, …`. */
export interface ProducerPerfResult {
  readonly records: number;
  readonly recordsPerSec: number;
  readonly mbPerSec: number;
  readonly avgLatencyMs: number;
  readonly maxLatencyMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

const PRODUCER_TOTAL =
  /^(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99\.9th\.$/;

/**
 * The totals from ProducerPerformance's output. Its progress lines (every 5 s) have the same start but no
 * percentiles; only the closing line is taken. Throws when there is none (the tool failed or was cut short).
 */
export function parseProducerPerformance(stdout: string): ProducerPerfResult {
  const lines = stdout.split('\n').map((l) => l.trim());
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = PRODUCER_TOTAL.exec(lines[i]!);
    if (!m) continue;
    return {
      records: Number(m[1]),
      recordsPerSec: Number(m[2]),
      mbPerSec: Number(m[3]),
      avgLatencyMs: Number(m[4]),
      maxLatencyMs: Number(m[5]),
      p50Ms: Number(m[6]),
      p99Ms: Number(m[8]),
    };
  }
  throw new Error(`ProducerPerformance printed no totals line:\n${stdout.slice(-2000)}`);
}

/**
 * ConsumerPerformance's line (with --hide-header): `start.time, end.time, data.consumed.in.MB, MB.sec,
 * data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec`.
 */
export interface ConsumerPerfResult {
  readonly records: number;
  readonly mb: number;
  /** From the consumer's start, group join included. */
  readonly recordsPerSec: number;
  readonly rebalanceMs: number;
  readonly fetchMs: number;
  /** After the group joined: what the copy baselines' rate (after their first commit) is compared with. */
  readonly fetchRecordsPerSec: number;
}

const DATE = '\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}:\\d{3}';
const NUM = '(-?[\\d.]+|NaN|Infinity)';
const CONSUMER_LINE = new RegExp(`^${DATE}, ${DATE}, ${NUM}, ${NUM}, (\\d+), ${NUM}, (-?\\d+), (-?\\d+), ${NUM}, ${NUM}$`);

/** The totals from ConsumerPerformance's output; throws when there is no such line. */
export function parseConsumerPerformance(stdout: string): ConsumerPerfResult {
  const lines = stdout.split('\n').map((l) => l.trim());
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = CONSUMER_LINE.exec(lines[i]!);
    if (!m) continue;
    return {
      mb: Number(m[1]),
      records: Number(m[3]),
      recordsPerSec: Number(m[4]),
      rebalanceMs: Number(m[5]),
      fetchMs: Number(m[6]),
      fetchRecordsPerSec: Number(m[8]),
    };
  }
  throw new Error(`ConsumerPerformance printed no totals line:\n${stdout.slice(-2000)}`);
}

/** The producer settings of the gateway (libs/kafka createDurableProducer, CoalescingProducer, the gateway's store options). */
export interface GatewayProducerSettings {
  readonly lingerMs: number;
  readonly maxBatchRecords: number;
  readonly maxBatchBytes: number;
}

/**
 * The Java producer's properties for the gateway's producer settings: acks=all, idempotent, one request in flight
 * (kafkajs with idempotence; the coalescing producer also keeps one batch in flight), linger as the gateway's, no
 * compression (kafkajs' default). A gateway batch holds up to `maxBatchRecords` records spread by key over the
 * partitions; the Java producer batches per partition, so each partition's batch holds its share of them.
 *
 * ProducerPerformance sends no keys, so its records go where the producer's own partitioner puts them: it fills one
 * partition's batch, then moves on, which spreads them evenly over the partitions (300,000 records over 6: 47,557 to
 * 51,566 each in four runs). Not RoundRobinPartitioner, which this bench once named to mimic keyed records: in
 * kafka-clients 3.9.1 it advances twice whenever a record opens a new batch, and left 3 of the 6 partitions empty
 * (100,000, 100,000, 0, 100,000, 0, 0), as reported upstream (KAFKA-16283; fixed by KAFKA-17632, released after
 * 3.9.1). ConsumerPerformance then read those records at about 9,300/s instead of 114,000–194,000/s: the Java
 * consumer's next fetch leaves out the partitions it still holds records of, so it asked for the empty ones alone,
 * and the broker held each such fetch for `fetch.max.wait.ms` (500 ms; 100 ms gave 38,900/s). The producer's own
 * partitioner changes partition per batch, not per record: each produce request carries batches of some partitions,
 * where the gateway's carries its share of every partition. Same acks, idempotence, linger and batch bytes.
 */
export function producerProps(bootstrap: string, settings: GatewayProducerSettings, recordBytes: number, partitions: number): string[] {
  const perPartition = Math.ceil(settings.maxBatchRecords / partitions);
  // 70 bytes: a record's own overhead in a v2 batch at most (attributes, deltas, lengths as varints) for these sizes.
  const batchSize = Math.min(settings.maxBatchBytes, perPartition * (recordBytes + 70));
  return [
    `bootstrap.servers=${bootstrap}`,
    'acks=all',
    'enable.idempotence=true',
    'max.in.flight.requests.per.connection=1',
    `linger.ms=${settings.lingerMs}`,
    `batch.size=${batchSize}`,
    `max.request.size=${Math.max(1_048_576, Math.min(settings.maxBatchBytes, 20_971_520))}`,
    'compression.type=none',
  ];
}

/** The fetch settings of the stages' consumers and their copy baselines (libs/kafka batch-consumer.ts). */
export interface StageFetchSettings {
  readonly fetchMinBytes: number;
  readonly fetchMaxWaitMs: number;
  readonly maxBytesPerPartition: number;
  readonly maxFetchBytes: number;
}

/**
 * The Java consumer's properties for the stages' fetch settings, for ConsumerPerformance's `--consumer.config`: the
 * copy baselines are compared with it, so it fetches as they do. With the Java default `fetch.max.wait.ms` (500), a
 * partition read to its end costs up to half a second per fetch while others still hold records (see producerProps):
 * the stages wait at most 100 ms.
 */
export function consumerProps(settings: StageFetchSettings): string[] {
  return [`fetch.min.bytes=${settings.fetchMinBytes}`, `fetch.max.wait.ms=${settings.fetchMaxWaitMs}`, `fetch.max.bytes=${settings.maxFetchBytes}`];
}

/**
 * ConsumerPerformance's own flags for the rest: it sets `max.partition.fetch.bytes` from `--fetch-size` after reading
 * `--consumer.config`, so the per-partition bound must go there.
 */
export function consumerArgs(settings: StageFetchSettings, configFile: string): string[] {
  return ['--consumer.config', configFile, '--fetch-size', String(settings.maxBytesPerPartition)];
}

/**
 * The partitions of a fresh topic of `partitions` the tool wrote no record to (end offset 0, or none reported). A
 * ceiling read from a topic with empty partitions measures the consumer's wait on them, not the broker (see
 * producerProps).
 */
export function emptyPartitions(endOffsets: ReadonlyArray<{ readonly partition: number; readonly offset: string }>, partitions: number): number[] {
  const written = new Set(endOffsets.filter((p) => BigInt(p.offset) > 0n).map((p) => p.partition));
  return Array.from({ length: partitions }, (_, p) => p).filter((p) => !written.has(p));
}
