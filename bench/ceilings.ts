/**
 * Issue 18's ceiling (a): what the broker itself does on this machine, measured with Apache Kafka's own
 * ProducerPerformance and ConsumerPerformance (org.apache.kafka:kafka-tools, the broker's version) on the bench's
 * broker, with the workload's record sizes and the gateway's producer settings (acks=all, idempotent, one request in
 * flight, its linger and batch bound). The gateway and the copy baselines are judged against these in BENCHMARKS.md.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Admin } from 'kafkajs';
import { rawTopicFor } from '@hookbus/contracts';
import { DEFAULT_STORE_OPTIONS } from '../apps/gateway/src/kafka/durable-record-store';
import { DEFAULT_FETCH_MAX_WAIT_MS, DEFAULT_FETCH_MIN_BYTES, DEFAULT_MAX_BYTES_PER_PARTITION, DEFAULT_MAX_FETCH_BYTES } from '../libs/kafka/src/batch-consumer';
import { runKafkaTool } from '../scripts/kafka/local-kafka';
import { consumerArgs, consumerProps, emptyPartitions, parseConsumerPerformance, parseProducerPerformance, producerProps } from './lib/kafka-perf';
import { storyRecords } from './workload';

/** One measurement by one of Kafka's tools. */
export interface CeilingRun {
  readonly run: number;
  /** `producer-ingest`: records the size of the gateway's Octapush record; `producer-drain` / `consumer-drain`: the drains' mean record. */
  readonly kind: 'producer-ingest' | 'producer-drain' | 'consumer-drain';
  readonly recordBytes: number;
  readonly records: number;
  /** Producer: records acknowledged per second. Consumer: per second after the group joined (fetch.nMsg.sec). */
  readonly recordsPerSec: number;
  readonly mbPerSec: number;
  /** Producer: p99 of the acknowledgement latency (the tool offers as fast as it can: queueing included). */
  readonly p99Ms: number;
  /** Consumer: per second from its start, group join included. */
  readonly wallRecordsPerSec: number;
}

/** The bytes of a record as the sizes go on the wire: key, value, header names and values (no framing). */
export function payloadBytes(m: { readonly key: string | Buffer | null; readonly value: Buffer | null; readonly headers: Readonly<Record<string, string>> }): number {
  let bytes = (m.key === null ? 0 : Buffer.byteLength(m.key)) + (m.value?.length ?? 0);
  for (const [name, value] of Object.entries(m.headers)) bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
  return bytes;
}

/**
 * The workload's record sizes: the gateway's record of an Octapush SMS (ingest) and the mean of the drains' raw
 * records (every template of a story once, as prefillRaw writes them), header bytes included.
 */
export function workloadRecordBytes(): { ingest: number; drain: number } {
  const records = storyRecords(123_456_789);
  const sms = records.filter((r) => r.topic === rawTopicFor('octapush'));
  const mean = (list: ReturnType<typeof storyRecords>) => Math.round(list.reduce((sum, r) => sum + payloadBytes(r), 0) / list.length);
  if (sms.length === 0) throw new Error('the workload has no Octapush record to size the ingest ceiling by');
  return { ingest: mean(sms), drain: mean(records) };
}

const PERF_JVM = ['-Xmx512m', '-XX:+UseG1GC'];
const PARTITIONS = 6;

export interface CeilingOptions {
  /** Aborted when the bench is asked to stop: no further tool is started (one runs synchronously: it holds the process). */
  readonly signal?: AbortSignal;
  readonly admin: Admin;
  readonly bootstrap: string;
  readonly runs: number;
  readonly records: number;
  readonly runId: string;
  readonly log: (line: string) => void;
}

/**
 * A broker that has just created a topic can answer metadata with UNKNOWN_TOPIC_OR_PARTITION for a moment (as
 * bench/lib/setup.ts notes): what was created stays created, so look again until every partition has a leader.
 */
async function freshTopic(admin: Admin, topic: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      if (!(await admin.listTopics()).includes(topic)) await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }] });
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      if (topics[0]?.partitions.length === PARTITIONS && topics[0].partitions.every((p) => p.leader >= 0)) return;
    } catch (error) {
      if (attempt >= 10) throw error;
    }
    if (attempt >= 10) throw new Error(`topic ${topic}: no leader for every partition after ${attempt} looks`);
    await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
  }
}

/**
 * Before each tool: lets a signal that arrived while the last one held the process be handled (the tools run under
 * spawnSync), then starts nothing more once the bench is stopping.
 */
async function beforeTool(signal: AbortSignal | undefined): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  signal?.throwIfAborted();
}

function producerRun(run: number, kind: CeilingRun['kind'], bootstrap: string, topic: string, records: number, recordBytes: number): CeilingRun {
  const props = producerProps(bootstrap, DEFAULT_STORE_OPTIONS, recordBytes, PARTITIONS);
  const out = runKafkaTool(
    'org.apache.kafka.tools.ProducerPerformance',
    ['--topic', topic, '--num-records', String(records), '--record-size', String(recordBytes), '--throughput', '-1', '--producer-props', ...props],
    { timeoutMs: 600_000, jvm: PERF_JVM },
  );
  if (out.status !== 0) throw new Error(`ProducerPerformance exited ${out.status}:\n${out.stderr.slice(-2000)}`);
  const p = parseProducerPerformance(out.stdout);
  return { run, kind, recordBytes, records: p.records, recordsPerSec: p.recordsPerSec, mbPerSec: p.mbPerSec, p99Ms: p.p99Ms, wallRecordsPerSec: NaN };
}

/**
 * Per run: ProducerPerformance with the gateway's record size into a fresh topic; ProducerPerformance with the drains'
 * mean record size into another, then ConsumerPerformance reading exactly those records back (a fresh group from the
 * start, the stages' fetch settings). Each topic has the raw topics' partition count and is deleted after its run.
 */
export async function kafkaCeilings(o: CeilingOptions): Promise<CeilingRun[]> {
  const sizes = workloadRecordBytes();
  o.log(`ceilings: Kafka's own tools, ${o.records} records per tool, ${sizes.ingest} B per ingest record, ${sizes.drain} B per drain record`);
  const runs: CeilingRun[] = [];
  // ConsumerPerformance fetches as the stages and their copy baselines do (libs/kafka batch-consumer.ts).
  const configDir = mkdtempSync(join(tmpdir(), 'hookbus-ceilings-'));
  const stageFetchConfig = join(configDir, 'consumer.properties');
  const fetchSettings = { fetchMinBytes: DEFAULT_FETCH_MIN_BYTES, fetchMaxWaitMs: DEFAULT_FETCH_MAX_WAIT_MS, maxBytesPerPartition: DEFAULT_MAX_BYTES_PER_PARTITION, maxFetchBytes: DEFAULT_MAX_FETCH_BYTES };
  writeFileSync(stageFetchConfig, `${consumerProps(fetchSettings).join('\n')}\n`);
  try {
    for (let run = 1; run <= o.runs; run++) {
      const ingestTopic = `hookbus-bench.ceiling-${o.runId}-${run}-ingest`;
      const drainTopic = `hookbus-bench.ceiling-${o.runId}-${run}-drain`;
      await freshTopic(o.admin, ingestTopic);
      await freshTopic(o.admin, drainTopic);
      try {
        await beforeTool(o.signal);
        const ingest = producerRun(run, 'producer-ingest', o.bootstrap, ingestTopic, o.records, sizes.ingest);
        runs.push(ingest);
        o.log(`ceilings run ${run} ProducerPerformance, ${sizes.ingest} B records: ${Math.round(ingest.recordsPerSec)} records/s (${ingest.mbPerSec} MB/s), p99 ${ingest.p99Ms} ms`);
        await beforeTool(o.signal);
        const produced = producerRun(run, 'producer-drain', o.bootstrap, drainTopic, o.records, sizes.drain);
        runs.push(produced);
        o.log(`ceilings run ${run} ProducerPerformance, ${sizes.drain} B records: ${Math.round(produced.recordsPerSec)} records/s (${produced.mbPerSec} MB/s), p99 ${produced.p99Ms} ms`);
        const spread = await o.admin.fetchTopicOffsets(drainTopic);
        const empty = emptyPartitions(spread, PARTITIONS);
        if (empty.length > 0) throw new Error(`ProducerPerformance left partition(s) ${empty.join(', ')} of ${drainTopic} empty: ConsumerPerformance would measure its wait on them, not the broker`);
        o.log(`ceilings run ${run} records per partition: ${spread.sort((a, b) => a.partition - b.partition).map((p) => p.offset).join(', ')}`);
        await beforeTool(o.signal);
        const out = runKafkaTool(
          'org.apache.kafka.tools.ConsumerPerformance',
          ['--bootstrap-server', o.bootstrap, '--topic', drainTopic, '--messages', String(o.records), '--group', `hookbus-bench-ceiling-${o.runId}-${run}`, '--timeout', '30000', '--hide-header', ...consumerArgs(fetchSettings, stageFetchConfig)],
          { timeoutMs: 600_000, jvm: PERF_JVM },
        );
        if (out.status !== 0) throw new Error(`ConsumerPerformance exited ${out.status}:\n${out.stderr.slice(-2000)}`);
        const c = parseConsumerPerformance(out.stdout);
        if (c.records < o.records) throw new Error(`ConsumerPerformance read ${c.records} of ${o.records} records:\n${out.stdout.slice(-2000)}`);
        runs.push({ run, kind: 'consumer-drain', recordBytes: sizes.drain, records: c.records, recordsPerSec: c.fetchRecordsPerSec, mbPerSec: c.mb / (c.fetchMs / 1000), p99Ms: NaN, wallRecordsPerSec: c.recordsPerSec });
        o.log(`ceilings run ${run} ConsumerPerformance, ${sizes.drain} B records: ${Math.round(c.fetchRecordsPerSec)} records/s after the join (${Math.round(c.recordsPerSec)}/s with it, join ${c.rebalanceMs} ms)`);
      } finally {
        await o.admin.deleteTopics({ topics: [ingestTopic, drainTopic] }).catch(() => undefined);
      }
    }
  } finally {
    rmSync(configDir, { recursive: true, force: true });
  }
  return runs;
}
