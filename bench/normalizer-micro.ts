/**
 * `node dist/bench/normalizer-micro.js [--seconds S] [--only octapush|credas|authvia|cellosign] [--load]`: the
 * normalizer's transform (raw record → CloudEvents, JavaScript only: no Kafka, no Postgres) over the drain bench's
 * records (bench/workload.ts: every provider's fixtures, one story per id), in a loop for S seconds after a warm-up;
 * prints records/s and CPU microseconds per record. `--load` uses the gateway load's body instead (Octapush SMS only,
 * bench/load/octapush-body.ts). Run it under `node --cpu-prof` to see where the transform's time goes (issue 18:
 * class-validator's share).
 */
import { encodeRawWebhook } from '@hookbus/contracts';
import { sourceTemplates } from '@hookbus/config';
import type { ConsumedRecord } from '@hookbus/kafka';
import { adapterFor, decodedWebhook } from '@hookbus/providers';
import { NormalizationSink } from '../apps/normalizer/src/normalization.sink';
import { octapushSmsBody } from './load/octapush-body';
import { storyRecords } from './workload';

const STORIES = 200;

function arg(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function consumed(record: { topic: string; key: string | Buffer | null; value: Buffer | null; headers: Readonly<Record<string, string>> }, offset: number): ConsumedRecord {
  return {
    topic: record.topic,
    partition: 0,
    offset: String(offset),
    key: record.key === null ? null : Buffer.from(record.key),
    value: record.value,
    headers: record.headers,
    timestamp: String(Date.now()),
  };
}

/** Octapush SMS callbacks as the load bench posts them, as the gateway would store them. */
function loadRecords(): ConsumedRecord[] {
  const source = sourceTemplates().find((s) => s.id === 'octapush-sms')!;
  const spec = { keyBase: 0, keySpace: 1000 };
  return Array.from({ length: 2000 }, (_, n) => {
    const raw = {
      body: Buffer.from(octapushSmsBody(spec, n), 'utf8'),
      receiptId: `0190c2d2-0000-7000-8000-${String(n).padStart(12, '0')}`,
      receivedAt: new Date().toISOString(),
      sourceId: source.id,
      provider: source.provider,
      kind: source.kind,
      method: 'POST' as const,
      path: `/webhooks/${source.id}`,
      query: '',
      contentType: 'application/json',
      pathStatus: null,
      requestHeaders: '{}',
    };
    return consumed(encodeRawWebhook({ ...raw, key: adapterFor(source.provider).routingKey(decodedWebhook(raw), source) }), n);
  });
}

function drainRecords(only: string | undefined): ConsumedRecord[] {
  const all = Array.from({ length: STORIES }, (_, story) => storyRecords(story + 1)).flat();
  return all.filter((r) => !only || r.topic.endsWith(`.${only}`)).map(consumed);
}

function main(): void {
  const seconds = Number(arg('--seconds') ?? 5);
  const records = process.argv.includes('--load') ? loadRecords() : drainRecords(arg('--only'));
  if (records.length === 0) throw new Error('no records selected');
  const sink = new NormalizationSink(sourceTemplates());
  let events = 0;
  let failed = 0;
  const pass = () => {
    for (const record of records) {
      try {
        events += sink.transform(record).length;
      } catch {
        failed++;
      }
    }
  };
  const warmUntil = Date.now() + 1000;
  while (Date.now() < warmUntil) pass();
  events = 0;
  failed = 0;
  let done = 0;
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    pass();
    done += records.length;
  }
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  // CPU time per record as well as wall-clock rate: on a shared, loaded machine the process waits for a core, and
  // the wall-clock rate measures the neighbours as much as the code.
  const cpuMicrosPerRecord = +((cpu.user + cpu.system) / done).toFixed(1);
  console.log(JSON.stringify({ records: records.length, recordsPerSecond: Math.round(done / elapsed), cpuMicrosPerRecord, eventsPerRecord: +(events / done).toFixed(3), failedPerRecord: +(failed / done).toFixed(3) }));
}

main();
