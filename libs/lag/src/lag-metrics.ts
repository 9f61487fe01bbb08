import { Counter, Gauge, type Registry } from 'prom-client';
import { LAG_STATUS_CODE, LAG_STATUSES, type GroupVerdict } from './lag-evaluator';

/**
 * The series dashboards already know from kafka-exporter (`kafka_consumergroup_lag`, `..._lag_sum`, same labels),
 * plus the time lag and the Burrow-style status: `hookbus_consumergroup_status` holds 0 OK, 1 WARN, 2 STALL,
 * 3 STOP, and `hookbus_consumergroup_status_info{status}` is 1 for the current status, for legends and tables.
 */
export class LagMetrics {
  private readonly lag: Gauge<'consumergroup' | 'topic' | 'partition'>;
  private readonly lagSum: Gauge<'consumergroup' | 'topic'>;
  private readonly lagSeconds: Gauge<'consumergroup' | 'topic' | 'partition'>;
  private readonly lagSecondsMax: Gauge<'consumergroup'>;
  private readonly status: Gauge<'consumergroup'>;
  private readonly statusInfo: Gauge<'consumergroup' | 'status'>;
  readonly sampleErrors: Counter<'consumergroup'>;
  /** Label sets exported per group last time, to remove the ones that went away. */
  private readonly exported = new Map<string, { partitions: Array<Record<'consumergroup' | 'topic' | 'partition', string>>; topics: string[] }>();

  constructor(registry: Registry) {
    const registers = [registry];
    this.lag = new Gauge({ name: 'kafka_consumergroup_lag', help: 'Offset lag: records on the partition the group has not committed past', labelNames: ['consumergroup', 'topic', 'partition'], registers });
    this.lagSum = new Gauge({ name: 'kafka_consumergroup_lag_sum', help: 'Offset lag summed over the partitions of a topic', labelNames: ['consumergroup', 'topic'], registers });
    this.lagSeconds = new Gauge({ name: 'kafka_consumergroup_lag_seconds', help: 'Age in seconds of the oldest record the group has not consumed (0 without lag)', labelNames: ['consumergroup', 'topic', 'partition'], registers });
    this.lagSecondsMax = new Gauge({ name: 'hookbus_consumergroup_lag_seconds_max', help: 'The largest time lag over the partitions of the group', labelNames: ['consumergroup'], registers });
    this.status = new Gauge({ name: 'hookbus_consumergroup_status', help: 'Burrow-style group status: 0 OK, 1 WARN, 2 STALL, 3 STOP', labelNames: ['consumergroup'], registers });
    this.statusInfo = new Gauge({ name: 'hookbus_consumergroup_status_info', help: '1 for the current status of the group', labelNames: ['consumergroup', 'status'], registers });
    this.sampleErrors = new Counter({ name: 'hookbus_lag_sample_errors_total', help: 'Lag samples that failed (broker unreachable, group unreadable)', labelNames: ['consumergroup'], registers });
  }

  /** Replaces a group's series, so partitions that went away (topic deleted, group reset) stop being exported. */
  record(verdict: GroupVerdict): void {
    const group = verdict.groupId;
    this.forget(group);
    const sums = new Map<string, number>();
    let maxSeconds = 0;
    for (const p of verdict.partitions) {
      const labels = { consumergroup: group, topic: p.topic, partition: String(p.partition) };
      this.lag.set(labels, p.lag);
      if (p.lagSeconds !== null) {
        this.lagSeconds.set(labels, p.lagSeconds);
        maxSeconds = Math.max(maxSeconds, p.lagSeconds);
      }
      sums.set(p.topic, (sums.get(p.topic) ?? 0) + p.lag);
    }
    for (const [topic, sum] of sums) this.lagSum.set({ consumergroup: group, topic }, sum);
    this.exported.set(group, {
      partitions: verdict.partitions.map((p) => ({ consumergroup: group, topic: p.topic, partition: String(p.partition) })),
      topics: [...sums.keys()],
    });
    this.lagSecondsMax.set({ consumergroup: group }, maxSeconds);
    this.status.set({ consumergroup: group }, LAG_STATUS_CODE[verdict.status]);
    for (const status of LAG_STATUSES) this.statusInfo.set({ consumergroup: group, status }, status === verdict.status ? 1 : 0);
  }

  private forget(group: string): void {
    const previous = this.exported.get(group);
    if (!previous) return;
    for (const labels of previous.partitions) {
      this.lag.remove(labels);
      this.lagSeconds.remove(labels);
    }
    for (const topic of previous.topics) this.lagSum.remove({ consumergroup: group, topic });
  }
}
