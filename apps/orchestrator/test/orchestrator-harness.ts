import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { EventTypes, Topics, type CheckUpdateData, type ProcessStatusData } from '@hookbus/contracts';
import { loadEnv, loadHookbusConfig } from '@hookbus/config';
import { serviceContext, type Logger } from '@hookbus/platform';
import { TEST_KAFKA_BROKERS } from '@hookbus/testing';
import { startOrchestrator, ORCHESTRATOR_INPUTS, type OrchestratorService } from '../src/orchestrator.app';
import { RETRY_LANES } from '../src/retry-schedule';

export const API_KEY = 'test-credas-key';

export const kafka = new Kafka({ clientId: 'orchestrator-test', brokers: TEST_KAFKA_BROKERS, logLevel: logLevel.NOTHING });

/** Commits the current end of every input topic for the groups, so a fresh group skips earlier tests' records. */
export async function skipHistory(groupId: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const plan: Array<[string, string]> = [
      ...ORCHESTRATOR_INPUTS.map((topic): [string, string] => [groupId, topic]),
      ...RETRY_LANES.map((lane): [string, string] => [`${groupId}-retry-${lane.name}`, lane.topic]),
    ];
    for (const [group, topic] of plan) {
      const offsets = await admin.fetchTopicOffsets(topic);
      await admin.setOffsets({ groupId: group, topic, partitions: offsets.map((o) => ({ partition: o.partition, offset: o.high })) });
    }
  } finally {
    await admin.disconnect();
  }
}

export async function committedOffset(groupId: string, topic: string, partition: number): Promise<bigint> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [result] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const found = result?.partitions.find((p) => p.partition === partition);
    return BigInt(found?.offset ?? '-1');
  } finally {
    await admin.disconnect();
  }
}

/** `logger` replaces the service's own (a test captures every line it writes). */
export async function startTestOrchestrator(baseUrl: string, groupId: string, options: { logger?: Logger } = {}): Promise<OrchestratorService> {
  const env = { ...loadEnv({ ...process.env, LOG_LEVEL: 'error', KAFKA_BROKERS: TEST_KAFKA_BROKERS.join(',') }), credasApiBaseUrl: baseUrl, credasApiKey: API_KEY };
  const own = serviceContext('orchestrator', { env, config: loadHookbusConfig(null) });
  const context = options.logger ? { ...own, logger: options.logger } : own;
  return startOrchestrator(context, {
    port: 0,
    groupId,
    credas: { headersTimeoutMs: 1_500, concurrency: 4 },
    retry: { maxAttempts: 5, backoff: { initialMs: 200, maxMs: 2_000, factor: 2 } },
    authBackoff: { initialMs: 400, maxMs: 2_000, factor: 2 },
  });
}

export function newGroupId(): string {
  return `test-orchestrator-${randomUUID()}`;
}

/** A Credas completion as the normalizer publishes it (events.processes.v1). */
export async function produceCompletion(producer: Producer, processId: string): Promise<{ partition: number; offset: string; eventId: string }> {
  const key = `credas:${processId}`;
  const eventId = randomUUID();
  const data: ProcessStatusData = {
    processKey: key,
    provider: 'credas',
    processId,
    status: 'completed',
    final: true,
    providerStatus: { code: 2, text: 'The process is complete' },
    entityId: null,
    reference: {},
    original: { ProcessId: processId, Status: 2 },
  };
  const event = { specversion: '1.0', id: eventId, type: EventTypes.processStatus, source: '/webhooks/credas-process', subject: key, time: new Date().toISOString(), datacontenttype: 'application/json', provider: 'credas', receiptid: randomUUID(), data };
  const [meta] = await producer.send({ topic: Topics.processes.name, acks: -1, messages: [{ key, value: JSON.stringify(event) }] });
  return { partition: meta!.partition, offset: meta!.baseOffset!, eventId };
}

/**
 * A Credas check webhook as the normalizer publishes it (events.checks.v1, key entity id; credas-check.normalizer).
 * Pass the event id of an earlier one to redeliver it.
 */
export async function produceCheckUpdate(producer: Producer, entityId: string, kind: CheckUpdateData['kind'], eventId: string = randomUUID()): Promise<{ partition: number; offset: string; eventId: string }> {
  const data: CheckUpdateData =
    kind === 'monitoring'
      ? { entityId, provider: 'credas', kind, clientId: 'client-1', updateType: null, updateTypeName: null, payload: null, original: { EntityId: entityId, ClientId: 'client-1' } }
      : {
          entityId,
          provider: 'credas',
          kind,
          clientId: 'client-1',
          updateType: 8,
          updateTypeName: 'right_to_work',
          payload: { EntityId: entityId, ClientId: 'client-1' },
          original: { UpdateType: 8, Payload: JSON.stringify({ EntityId: entityId, ClientId: 'client-1' }) },
        };
  const source = kind === 'monitoring' ? '/webhooks/credas-monitoring' : '/webhooks/credas-status-update';
  const event = { specversion: '1.0', id: eventId, type: EventTypes.checkUpdate, source, subject: entityId, time: new Date().toISOString(), datacontenttype: 'application/json', provider: 'credas', receiptid: randomUUID(), data };
  const [meta] = await producer.send({ topic: Topics.checks.name, acks: -1, messages: [{ key: entityId, value: JSON.stringify(event) }] });
  return { partition: meta!.partition, offset: meta!.baseOffset!, eventId };
}

/** The tracker's process state with the entity learned from actor webhooks (state.processes.v1). */
export async function produceProcessState(producer: Producer, processId: string, entityId: string): Promise<void> {
  const key = `credas:${processId}`;
  const state = { kind: 'process', key, provider: 'credas', processId, status: 'created', final: false, providerStatus: { code: null, text: null }, entityIds: [entityId], entityId, seq: 0, updatedAt: new Date().toISOString() };
  await producer.send({ topic: Topics.processState.name, acks: -1, messages: [{ key, value: JSON.stringify(state) }] });
}

export async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return line ? Number(line.split(' ').pop()) : 0;
}
