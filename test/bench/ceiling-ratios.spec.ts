/** The ratios issue 18 sets goals on (bench/report.ts ceilingFigures, ceilingLines): same run's medians. */
import type { CeilingRun } from '../../bench/ceilings';
import { median } from '../../bench/lib/stats';
import { ceilingFigures, ceilingLines, perRunRatios, type BenchResults, type DrainRun, type IngestRun } from '../../bench/report';

const ingestRun = (target: IngestRun['target'], okPerSec: number, run = 1): IngestRun =>
  ({ run, target, result: { okPerSec, latencyMs: { p50: 1, p90: 1, p99: 1, max: 1, mean: 1 } }, peakRssMb: 1, avgBatchRecords: NaN, avgProduceMs: NaN }) as unknown as IngestRun;
const drainRun = (stage: DrainRun['stage'], steadyPerSec: number): DrainRun => ({ stage, steadyPerSec }) as unknown as DrainRun;
const tool = (kind: CeilingRun['kind'], recordsPerSec: number, recordBytes: number): CeilingRun => ({ run: 1, kind, recordBytes, records: 1000, recordsPerSec, mbPerSec: 1, p99Ms: 1, wallRecordsPerSec: NaN });

const results = (parts: Partial<BenchResults>): BenchResults => ({ ingest: [], drains: [], ceilings: [], ...parts }) as unknown as BenchResults;

it('sets the gateway beside the durable baseline, bare http and naive NestJS (medians over runs)', () => {
  const r = results({
    ingest: [ingestRun('bare', 10_000), ingestRun('durable', 5_000), ingestRun('durable', 4_000, 2), ingestRun('durable', 6_000, 3), ingestRun('naive', 1_000), ingestRun('gateway', 4_000), ingestRun('gateway-steady', 1_999)],
    ceilings: [tool('producer-ingest', 20_000, 353)],
  });
  const f = ceilingFigures(r, median);
  expect([f.gateway, f.durable, f.bare, f.naive, f.producerIngest]).toEqual([4_000, 5_000, 10_000, 1_000, 20_000]);
  expect(ceilingLines(r, median)).toEqual([
    'ratio gateway / durable baseline: 80.0 % (goal ≥ 80 %); gateway / bare http: 40.0 % (goal ≥ 30 %); gateway / naive NestJS: 4.00× (goal ≥ 3×)',
    'ratio within each run: gateway / durable 80.0 %; gateway / bare 40.0 %; durable / bare 50.0 %',
    'ratio durable baseline / bare http: 50.0 %; durable baseline / Kafka ProducerPerformance (353 B records): 25.0 %; gateway / ProducerPerformance: 20.0 %',
  ]);
});

it('pairs the servers of one run when it takes the ratios within each run', () => {
  const r = results({ ingest: [ingestRun('durable', 1_000, 1), ingestRun('gateway', 500, 1), ingestRun('durable', 4_000, 2), ingestRun('gateway', 3_000, 2), ingestRun('durable', 2_000, 3)] });
  expect(perRunRatios(r, 'gateway', 'durable')).toEqual([0.5, 0.75]);
});

it('bounds a copy baseline by the lower of Kafka\'s consumer and producer rates for the same records', () => {
  const r = results({ drains: [drainRun('copy-normalizer', 6_000), drainRun('copy-tracker', 3_000), drainRun('normalizer', 99)], ceilings: [tool('producer-drain', 10_000, 574), tool('consumer-drain', 40_000, 574)] });
  expect(ceilingFigures(r, median).copyCeiling).toBe(10_000);
  expect(ceilingLines(r, median)).toEqual([
    'ratio copy-normalizer / Kafka ConsumerPerformance: 15.0 %; / ProducerPerformance (574 B records): 60.0 % (goal ≥ 50 % of the lower)',
    'ratio copy-tracker / Kafka ConsumerPerformance: 7.5 %; / ProducerPerformance (574 B records): 30.0 % (goal ≥ 50 % of the lower)',
  ]);
});

it('says only Kafka\'s own rates when the ceilings ran alone, and nothing when nothing ran', () => {
  const r = results({ ceilings: [tool('producer-ingest', 20_000, 353), tool('producer-drain', 10_000, 574), tool('consumer-drain', 40_000, 574)] });
  expect(ceilingLines(r, median)).toEqual(["Kafka's own: ProducerPerformance 20000/s (353 B), 10000/s (574 B); ConsumerPerformance 40000/s (574 B)"]);
  expect(ceilingLines(results({}), median)).toEqual([]);
});
