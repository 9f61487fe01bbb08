import type { Admin } from 'kafkajs';
import type { Registry } from 'prom-client';
import { createKafka, type KafkaClientOptions } from '@hookbus/kafka';
import { DEFAULT_EVALUATOR_OPTIONS, DEFAULT_WINDOW_OPTIONS, evaluateGroup, slideWindow, type EvaluatorOptions, type GroupVerdict, type WindowOptions } from './lag-evaluator';
import { LagMetrics } from './lag-metrics';
import { DEFAULT_LAG_HISTORY, LagHistory, groupOverview, type GroupOverview } from './lag-overview';
import { LagReader, type LagTarget } from './lag-reader';
import type { GroupSample } from './lag-sample';
import { KafkaRecordTimestampReader, type RecordTimestampReader } from './record-timestamp-reader';

export interface LagLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface LagMonitorOptions {
  readonly targets: readonly LagTarget[];
  /** Time between samples; with the default window of 10 samples a status reflects the last 2.5 minutes. */
  readonly intervalMs?: number;
  readonly window?: WindowOptions;
  readonly evaluator?: EvaluatorOptions;
  readonly clock?: () => number;
  readonly logger?: LagLogger;
  /** Samples each group's history keeps for the overview's sparkline (DEFAULT_LAG_HISTORY). */
  readonly historySize?: number;
}

export const DEFAULT_LAG_INTERVAL_MS = 15_000;

/**
 * Samples the groups on an interval, keeps a sliding window per group, judges each group and exports the result
 * as Prometheus gauges. `sample(now)` is public so callers and tests drive it with explicit times.
 */
export class LagMonitor {
  private readonly windows = new Map<string, GroupSample[]>();
  private latest: GroupVerdict[] = [];
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private readonly clock: () => number;
  private lastSampledAt: number | null = null;
  private lastError: string | null = null;
  private readonly history: LagHistory;

  constructor(
    private readonly reader: LagReader,
    private readonly metrics: LagMetrics | null,
    private readonly options: LagMonitorOptions,
    private readonly onClose: () => Promise<void> = async () => undefined,
  ) {
    this.clock = options.clock ?? Date.now;
    this.history = new LagHistory(options.historySize ?? DEFAULT_LAG_HISTORY);
  }

  /** A monitor with its own Kafka admin connection, exporting to `registry` (the service's /metrics registry). */
  static connect(options: LagMonitorOptions & { brokers: readonly string[]; security?: KafkaClientOptions['security']; registry: Registry | null; clientId?: string; kafkaLog?: KafkaClientOptions['log'] }): LagMonitor {
    const kafka = createKafka({ brokers: options.brokers, security: options.security, clientId: options.clientId ?? 'hookbus-lag', log: options.kafkaLog });
    const admin: Admin = kafka.admin();
    const timestamps: RecordTimestampReader | null = KafkaRecordTimestampReader.isSupported(kafka) ? new KafkaRecordTimestampReader(kafka) : null;
    let connected: Promise<void> | null = null;
    const reader = new LagReader(
      new Proxy(admin, {
        // Connect lazily on first use, so a monitor can be built before the broker answers.
        get(target, property, receiver) {
          const value = Reflect.get(target, property, receiver) as unknown;
          if (typeof value !== 'function' || property === 'connect' || property === 'disconnect') return value;
          return async (...args: unknown[]) => {
            connected ??= target.connect().catch((error: unknown) => {
              connected = null;
              throw error;
            });
            await connected;
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      }),
      timestamps,
    );
    return new LagMonitor(reader, options.registry ? new LagMetrics(options.registry) : null, options, async () => {
      await timestamps?.close().catch(() => undefined);
      if (connected) await admin.disconnect();
    });
  }

  /** Takes one sample of every group at `now`, judges it against the window and updates the gauges. */
  async sample(now: number = this.clock()): Promise<GroupVerdict[]> {
    let samples: GroupSample[];
    try {
      samples = await this.reader.read(this.options.targets, now);
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
      for (const target of this.options.targets) this.metrics?.sampleErrors.inc({ consumergroup: target.groupId });
      this.options.logger?.warn({ err: this.lastError }, 'consumer lag sample failed');
      throw error;
    }
    const verdicts = samples.map((sample) => this.judge(sample));
    this.latest = verdicts;
    this.history.record(verdicts);
    this.lastSampledAt = now;
    this.lastError = null;
    return verdicts;
  }

  /** Throws unless the newest sample succeeded: what the monitor's readiness says (its series are current). */
  assertSampling(): void {
    if (this.lastError !== null) throw new Error(`the last lag sample failed: ${this.lastError}`);
    if (this.lastSampledAt === null) throw new Error('no lag sample taken yet');
  }

  /** The verdicts of the newest sample. */
  verdicts(): readonly GroupVerdict[] {
    return this.latest;
  }

  /** The newest verdict of every group with its recent history (oldest first): the monitor's GET /overview. */
  overview(): GroupOverview[] {
    return this.latest.map((verdict) => groupOverview(verdict, this.history.of(verdict.groupId)));
  }

  /** When the newest sample was taken (epoch ms) and why the newest one failed, if it did. */
  samplingState(): { readonly lastSampledAt: number | null; readonly lastError: string | null } {
    return { lastSampledAt: this.lastSampledAt, lastError: this.lastError };
  }

  start(): void {
    if (this.timer) return;
    const tick = () => {
      this.running = this.sample()
        .catch(() => undefined)
        .finally(() => {
          this.running = null;
          if (this.timer) this.timer = setTimeout(tick, this.options.intervalMs ?? DEFAULT_LAG_INTERVAL_MS).unref();
        });
    };
    // A chain of timeouts, not an interval: a slow broker never piles samples on top of each other.
    this.timer = setTimeout(tick, 0).unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
    await this.onClose();
  }

  private judge(sample: GroupSample): GroupVerdict {
    const window = slideWindow(this.windows.get(sample.groupId) ?? [], sample, this.options.window ?? DEFAULT_WINDOW_OPTIONS);
    this.windows.set(sample.groupId, window);
    const previous = this.latest.find((v) => v.groupId === sample.groupId);
    const verdict = evaluateGroup(window, this.options.evaluator ?? DEFAULT_EVALUATOR_OPTIONS);
    this.metrics?.record(verdict);
    if (previous && previous.status !== verdict.status) {
      const log = verdict.status === 'OK' ? this.options.logger?.info : this.options.logger?.warn;
      log?.call(this.options.logger, { consumergroup: verdict.groupId, from: previous.status, to: verdict.status, reason: verdict.reason, lag: verdict.totalLag }, `consumer group ${verdict.groupId} is ${verdict.status}`);
    }
    if (previous && previous.retention !== verdict.retention) {
      const log = verdict.retention === 'OK' ? this.options.logger?.info : this.options.logger?.warn;
      log?.call(this.options.logger, { consumergroup: verdict.groupId, from: previous.retention, to: verdict.retention, reason: verdict.retentionReason }, `consumer group ${verdict.groupId} retention ${verdict.retention}`);
    }
    return verdict;
  }
}
