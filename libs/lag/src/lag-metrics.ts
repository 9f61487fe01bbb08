import { Counter, Gauge, type Registry } from 'prom-client';
import { LAG_STATUS_CODE, LAG_STATUSES, type GroupVerdict } from './lag-evaluator';
import { groupLagSeconds } from './lag-overview';
import { GROUP_STATES } from './lag-sample';
import { RETENTION_STATUS_CODE } from './retention-risk';

/**
 * The series dashboards already know from kafka-exporter (`kafka_consumergroup_lag`, `..._lag_sum`, same labels),
 * plus the time lag and the Burrow-style status: `hookbus_consumergroup_status` holds 0 OK, 1 WARN, 2 STALL,
 * 3 STOP, and `hookbus_consumergroup_status_info{status}` is 1 for the current status, for legends and tables.
 * Then what the coordinator says of the group (state, members), the lag's trend, and how close each partition's
 * position is to the log start (retention risk). docs/operations.md lists them all.
 */
export class LagMetrics {
  private readonly lag: Gauge<'consumergroup' | 'topic' | 'partition'>;
  private readonly lagSum: Gauge<'consumergroup' | 'topic'>;
  private readonly lagSeconds: Gauge<'consumergroup' | 'topic' | 'partition'>;
  private readonly lagSecondsMax: Gauge<'consumergroup'>;
  private readonly status: Gauge<'consumergroup'>;
  private readonly statusInfo: Gauge<'consumergroup' | 'status'>;
  private readonly members: Gauge<'consumergroup'>;
  private readonly stateInfo: Gauge<'consumergroup' | 'state'>;
  private readonly trend: Gauge<'consumergroup'>;
  private readonly headroom: Gauge<'consumergroup' | 'topic' | 'partition'>;
  private readonly retention: Gauge<'consumergroup'>;
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
    this.members = new Gauge({ name: 'hookbus_consumergroup_members', help: 'Members of the group (DescribeGroups)', labelNames: ['consumergroup'], registers });
    this.stateInfo = new Gauge({ name: 'hookbus_consumergroup_state_info', help: '1 for the coordinator\'s current state of the group (Stable, PreparingRebalance, CompletingRebalance, Empty, Dead, Unknown)', labelNames: ['consumergroup', 'state'], registers });
    this.trend = new Gauge({ name: 'hookbus_consumergroup_lag_trend_records_per_second', help: 'Records per second the group\'s offset lag grew (positive) or shrank (negative) across the evaluation window', labelNames: ['consumergroup'], registers });
    this.headroom = new Gauge({ name: 'hookbus_consumergroup_retention_headroom_ratio', help: '(committed − log start) / (end − log start): share of the retained log between its start and the group; 1 when caught up', labelNames: ['consumergroup', 'topic', 'partition'], registers });
    this.retention = new Gauge({ name: 'hookbus_consumergroup_retention_risk', help: 'Worst partition of the group: 0 OK, 1 AT_RISK (position within the risk ratio of the log start while lagging), 2 LOST (position below the log start)', labelNames: ['consumergroup'], registers });
    this.sampleErrors = new Counter({ name: 'hookbus_lag_sample_errors_total', help: 'Lag samples that failed (broker unreachable, group unreadable)', labelNames: ['consumergroup'], registers });
  }

  /** Replaces a group's series, so partitions that went away (topic deleted, group reset) stop being exported. */
  record(verdict: GroupVerdict): void {
    const group = verdict.groupId;
    this.forget(group);
    const sums = new Map<string, number>();
    for (const p of verdict.partitions) {
      const labels = { consumergroup: group, topic: p.topic, partition: String(p.partition) };
      this.lag.set(labels, p.lag);
      if (p.retentionHeadroom !== null) this.headroom.set(labels, p.retentionHeadroom);
      if (p.lagSeconds !== null) this.lagSeconds.set(labels, p.lagSeconds);
      sums.set(p.topic, (sums.get(p.topic) ?? 0) + p.lag);
    }
    for (const [topic, sum] of sums) this.lagSum.set({ consumergroup: group, topic }, sum);
    this.exported.set(group, {
      partitions: verdict.partitions.map((p) => ({ consumergroup: group, topic: p.topic, partition: String(p.partition) })),
      topics: [...sums.keys()],
    });
    this.lagSecondsMax.set({ consumergroup: group }, groupLagSeconds(verdict));
    this.status.set({ consumergroup: group }, LAG_STATUS_CODE[verdict.status]);
    for (const status of LAG_STATUSES) this.statusInfo.set({ consumergroup: group, status }, status === verdict.status ? 1 : 0);
    this.members.set({ consumergroup: group }, verdict.members);
    for (const state of GROUP_STATES) this.stateInfo.set({ consumergroup: group, state }, state === verdict.state ? 1 : 0);
    if (verdict.lagTrend === null) this.trend.remove({ consumergroup: group });
    else this.trend.set({ consumergroup: group }, verdict.lagTrend);
    this.retention.set({ consumergroup: group }, RETENTION_STATUS_CODE[verdict.retention]);
  }

  private forget(group: string): void {
    const previous = this.exported.get(group);
    if (!previous) return;
    for (const labels of previous.partitions) {
      this.lag.remove(labels);
      this.lagSeconds.remove(labels);
      this.headroom.remove(labels);
    }
    for (const topic of previous.topics) this.lagSum.remove({ consumergroup: group, topic });
  }
}
