import { STAGES, orchestratorRetryGroup } from '@hookbus/contracts';
import { createKafka, type BackoffPolicy } from '@hookbus/kafka';
import { KafkaBatchTransport, type RunningService } from '@hookbus/nest-kafka';
import { consumerMetrics, createServiceApp, kafkaLogging, listen, type ReadinessChecks, type ServiceContext } from '@hookbus/platform';
import { CredasApiClient, type CredasApiClientOptions } from './credas-api-client';
import { CredasAuthGate } from './credas-auth-gate';
import { CredasRetrievalSink } from './credas-retrieval.sink';
import { OrchestratorMemory } from './orchestrator-memory';
import { orchestratorMetrics } from './orchestrator-metrics';
import { OrchestratorModule } from './orchestrator.module';
import { credasClientSettings } from './orchestrator-settings';
import { DEFAULT_RETRY_POLICY, RETRY_LANES, type RetryPolicy } from './retry-schedule';

export const ORCHESTRATOR_GROUP = STAGES.orchestrator.group;
/** What the main consumer reads; retry lanes have a consumer (and group `{groupId}-retry-{lane}`) each. */
export const ORCHESTRATOR_INPUTS: readonly string[] = STAGES.orchestrator.inputs;

export interface OrchestratorOptions {
  readonly port?: number;
  readonly groupId?: string;
  /** Overrides of the Credas client settings read from the environment (tests point it at the fake). */
  readonly credas?: Partial<CredasApiClientOptions>;
  readonly retry?: Partial<RetryPolicy>;
  /** The pause after a 403, doubling while the key stays refused. */
  readonly authBackoff?: BackoffPolicy;
  readonly partitionsConsumedConcurrently?: number;
}

export interface OrchestratorService extends RunningService {
  readonly memory: OrchestratorMemory;
}

const DEFAULT_AUTH_BACKOFF: BackoffPolicy = { initialMs: 5_000, maxMs: 300_000, factor: 2 };

/**
 * The Credas orchestrator: completed processes (and check webhooks, and re-fetch commands) → details, active checks
 * and the PDF from the Credas API → one hookbus.credas.results event each. See apps/orchestrator/README.md.
 */
export async function startOrchestrator(context: ServiceContext, options: OrchestratorOptions = {}): Promise<OrchestratorService> {
  const settings = { ...credasClientSettings(context.env), ...options.credas };
  const groupId = options.groupId ?? ORCHESTRATOR_GROUP;
  const log = context.logger;
  const kafka = createKafka({ brokers: context.env.kafkaBrokers, security: context.env.kafkaSecurity, clientId: `hookbus-${context.name}`, ...kafkaLogging(context) });
  const metrics = orchestratorMetrics(context.metrics);
  const stopping = new AbortController();
  const client = new CredasApiClient(settings);
  const memory = new OrchestratorMemory(kafka, log);
  const gate = new CredasAuthGate(options.authBackoff ?? DEFAULT_AUTH_BACKOFF, {
    rejected(level, pauseMs) {
      metrics.authBlocked.set(1);
      log.error({ pauseLevel: level, pauseMs, baseUrl: settings.baseUrl }, 'Credas refused the API key (403): pausing every Credas call; check CREDAS_API_KEY and CREDAS_API_BASE_URL');
    },
    recovered() {
      metrics.authBlocked.set(0);
      log.info('Credas accepts the API key again; calls resume');
    },
  });
  const retry: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const deps = { client, gate, memory, metrics, log, retry, signal: stopping.signal };
  const checks: ReadinessChecks = new Map([
    ['memory', async () => {
      if (memory.stoppedForGood !== null) throw new Error(memory.stoppedForGood);
      if (!memory.caughtUpNow) throw new Error('still reading state.processes.v1 and the retrievals topic');
    }],
    ['credas-key', async () => {
      if (gate.blocked) throw new Error('Credas refuses the API key (403)');
    }],
  ]);
  const app = await createServiceApp(context, OrchestratorModule.forContext(context, checks));
  const observer = consumerMetrics(context.metrics);
  const transports = [
    new KafkaBatchTransport(kafka, new CredasRetrievalSink(deps, null), {
      groupId,
      topics: ORCHESTRATOR_INPUTS,
      sessionTimeoutMs: context.env.kafkaSessionTimeoutMs,
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 6,
    }, log, observer),
    ...RETRY_LANES.map((lane) => new KafkaBatchTransport(kafka, new CredasRetrievalSink(deps, lane), {
      groupId: orchestratorRetryGroup(groupId, lane.name),
      topics: [lane.topic],
      sessionTimeoutMs: context.env.kafkaSessionTimeoutMs,
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 6,
    }, log, observer)),
  ];
  // Not ready once kafkajs has stopped one of them for good (the process is stopping then too: see the transport).
  transports.forEach((transport, i) => checks.set(`consumer-${i === 0 ? 'retrievals' : RETRY_LANES[i - 1]!.name}`, transport.readinessCheck));
  for (const strategy of transports) app.connectMicroservice({ strategy }, { inheritAppConfig: true });
  await memory.start();
  await app.init();
  await app.startAllMicroservices();
  const url = await listen(app, options.port ?? context.env.servicePorts.orchestrator, context);
  return {
    app,
    url,
    memory,
    close: async () => {
      // Cancel Credas calls first, so consumers stop at once and commit nothing that was not published.
      stopping.abort();
      await app.close();
      await memory.stop();
      await client.close();
    },
  };
}
