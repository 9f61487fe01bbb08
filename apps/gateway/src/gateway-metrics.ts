import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Label for requests that named no configured source, so unknown ids cannot explode the series count. */
export const UNKNOWN_SOURCE_LABEL = '_unknown';

/** The gateway's series (README: metrics). Children are cached: labels() is a map lookup on the hot path. */
export class GatewayMetrics {
  private readonly requests: Counter<'source' | 'status'>;
  private readonly latency: Histogram<'source'>;
  private readonly batchRecords: Histogram;
  private readonly batchSeconds: Histogram<'outcome'>;
  private readonly quarantinedTotal: Counter<'source' | 'status'>;

  constructor(registry: Registry) {
    this.requests = new Counter({ name: 'hookbus_gateway_requests_total', help: 'Webhook requests answered, by source and HTTP status', labelNames: ['source', 'status'], registers: [registry] });
    this.latency = new Histogram({
      name: 'hookbus_gateway_request_seconds',
      help: 'Time from receiving a webhook request to answering it',
      labelNames: ['source'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
    this.batchRecords = new Histogram({ name: 'hookbus_gateway_produce_batch_records', help: 'Records per coalesced produce request', buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000], registers: [registry] });
    this.batchSeconds = new Histogram({ name: 'hookbus_gateway_produce_seconds', help: 'Round trip of one coalesced produce request (acks all)', labelNames: ['outcome'], buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [registry] });
    this.quarantinedTotal = new Counter({ name: 'hookbus_gateway_quarantined_total', help: 'Refused requests recorded on webhooks.quarantine', labelNames: ['source', 'status'], registers: [registry] });
  }

  answered(source: string, status: number, seconds: number): void {
    this.requests.labels(source, String(status)).inc();
    this.latency.labels(source).observe(seconds);
  }

  batch(records: number, millis: number, error?: unknown): void {
    this.batchRecords.observe(records);
    this.batchSeconds.labels(error === undefined ? 'ok' : 'error').observe(millis / 1000);
  }

  /** The spool's series: size and age read at scrape time, flows counted as they happen. */
  spool(registry: Registry, state: SpoolState, now: () => number = Date.now): SpoolCounters {
    new Gauge({ name: 'hookbus_gateway_spool_bytes', help: 'Bytes of the local spool on disk (segments plus appends being written)', registers: [registry], collect() { this.set(state.bytes); } });
    new Gauge({ name: 'hookbus_gateway_spool_records', help: 'Records in the local spool not yet drained to Kafka', registers: [registry], collect() { this.set(state.records); } });
    new Gauge({
      name: 'hookbus_gateway_spool_oldest_record_seconds',
      help: 'Age of the oldest record waiting in the spool (0 when empty)',
      registers: [registry],
      collect() {
        const oldest = state.oldestAppendedAtMs;
        this.set(oldest === null ? 0 : Math.max(0, (now() - oldest) / 1000));
      },
    });
    new Gauge({ name: 'hookbus_gateway_spool_active', help: '1 while requests are written to the spool instead of Kafka', registers: [registry], collect() { this.set(state.spooling ? 1 : 0); } });
    const appended = new Counter({ name: 'hookbus_gateway_spool_appended_records_total', help: 'Records acknowledged from the local spool (fsync\'d)', registers: [registry] });
    const drained = new Counter({ name: 'hookbus_gateway_spool_drained_records_total', help: 'Spooled records written to Kafka by the drainer (rate() = drain rate)', registers: [registry] });
    const refused = new Counter<'reason'>({ name: 'hookbus_gateway_spool_refused_total', help: 'Records the spool refused (full, or the disk write failed): answered 503', labelNames: ['reason'], registers: [registry] });
    const setAside = new Counter<'code'>({
      name: 'hookbus_gateway_spool_set_aside_total',
      help: 'Spooled records Kafka refuses for good (e.g. MESSAGE_TOO_LARGE), moved to the spool\'s refused/ directory so the drain goes on',
      labelNames: ['code'],
      registers: [registry],
    });
    return {
      appended: (n) => appended.inc(n),
      drained: (n) => drained.inc(n),
      refused: (reason) => refused.labels(reason).inc(),
      setAside: (code) => setAside.labels(code).inc(),
    };
  }

  quarantined(source: string, status: number): void {
    this.quarantinedTotal.labels(source, String(status)).inc();
  }
}

export interface SpoolState {
  readonly bytes: number;
  readonly records: number;
  readonly oldestAppendedAtMs: number | null;
  readonly spooling: boolean;
}

export interface SpoolCounters {
  appended(records: number): void;
  drained(records: number): void;
  refused(reason: 'full' | 'io'): void;
  setAside(code: string): void;
}
