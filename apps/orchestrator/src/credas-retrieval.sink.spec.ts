import { Registry } from 'prom-client';
import type { BatchEffects, ConsumedRecord, OutgoingRecord } from '@hookbus/kafka';
import type { Logger } from '@hookbus/platform';
import type { CredasApiClient } from './credas-api-client';
import { Topics } from '@hookbus/contracts';
// The wire's header names, for assertions on what was written (production code reads them through the codecs).
import { DeadLetterHeaders, RetryHeaders } from '../../../libs/contracts/src/record-headers';
import { CredasRejectedError, CredasUnavailableError } from './credas-api-errors';
import { CredasAuthGate } from './credas-auth-gate';
import { CredasRetrievalSink } from './credas-retrieval.sink';
import { orchestratorMetrics } from './orchestrator-metrics';
import type { OrchestratorMemory } from './orchestrator-memory';
import type { Planned, RetrievalJob } from './retrieval-jobs';
import { DEFAULT_RETRY_POLICY, RETRY_LANES, type RetryLane } from './retry-schedule';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const origin: ConsumedRecord = { topic: 'events.processes.v1', partition: 0, offset: '7', key: null, value: Buffer.from('{}'), headers: {}, timestamp: '0' };

function job(processId: string, retry: Partial<Pick<RetrievalJob, 'attempt' | 'dueAt'>> = {}): Planned {
  const retrieval: RetrievalJob = {
    processKey: `credas:${processId}`,
    processId,
    entityIdHint: null,
    force: false,
    trigger: { kind: 'completed', eventId: `ev-${processId}`, receiptId: '' },
    attempt: 1,
    dueAt: 0,
    origin,
    ...retry,
  };
  return { job: retrieval };
}

const memory = {
  caughtUpNow: true,
  retrieval: () => null,
  checkApplied: () => false,
  checksAppliedWith: (_processKey: string, added: readonly string[]) => [...added],
  entityOf: () => null,
  retrievedProcessesOf: () => [],
  remember: () => undefined,
} as unknown as OrchestratorMemory;

const log = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as unknown as Logger;

describe('CredasRetrievalSink.flush', () => {
  it('fails only after every job of the batch has settled, so a batch retry never overlaps a running job', async () => {
    // Job "fast" fails at once and its retry record cannot be sent; job "slow" is still waiting for Credas then.
    const slowCredas = deferred();
    const fastSendFailed = deferred();
    const sendError = new Error('broker refused the retry record');
    const client = {
      processDetails: async (processId: string) => {
        if (processId === 'slow') await slowCredas.promise;
        throw new CredasUnavailableError('credas.unavailable', 'Credas answered 503');
      },
    } as unknown as CredasApiClient;
    const sent: string[] = [];
    const effects: BatchEffects = {
      heartbeat: async () => undefined,
      afterCommit: () => undefined,
      send: async (records: readonly OutgoingRecord[]) => {
        const processKey = records[0]!.headers?.[RetryHeaders.processKey] ?? '';
        sent.push(processKey);
        if (processKey === 'credas:fast') {
          fastSendFailed.resolve();
          throw sendError;
        }
        return [];
      },
    };
    const sink = new CredasRetrievalSink(
      {
        client,
        gate: new CredasAuthGate({ initialMs: 1000, maxMs: 1000, factor: 2 }, { rejected: () => undefined, recovered: () => undefined }),
        memory,
        metrics: orchestratorMetrics(new Registry()),
        log,
        retry: DEFAULT_RETRY_POLICY,
        signal: new AbortController().signal,
        now: () => 1_000_000,
      },
      null,
    );

    let settled = false;
    const flushing = sink.flush([{ record: origin, value: [job('fast'), job('slow')] }], effects).finally(() => (settled = true));
    flushing.catch(() => undefined);
    await fastSendFailed.promise;
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);

    slowCredas.resolve();
    await expect(flushing).rejects.toBe(sendError);
    expect(sent).toEqual(['credas:fast', 'credas:slow']);
  });
});

/** A sink on `lane` whose clock runs `speed` times faster than the real one (0: stopped), and what it sends. */
function laneSink(lane: RetryLane | null, client: Partial<CredasApiClient>, send?: (records: readonly OutgoingRecord[]) => Promise<void>, speed = 100_000) {
  const realStart = Date.now();
  const now = () => 1_000_000 + (Date.now() - realStart) * speed;
  const sent: OutgoingRecord[] = [];
  const registry = new Registry();
  const metrics = orchestratorMetrics(registry);
  const effects: BatchEffects = {
    heartbeat: async () => undefined,
    afterCommit: () => undefined,
    send: async (records) => {
      await send?.(records);
      sent.push(...records);
      return [];
    },
  };
  const sink = new CredasRetrievalSink(
    {
      client: client as CredasApiClient,
      gate: new CredasAuthGate({ initialMs: 1000, maxMs: 1000, factor: 2 }, { rejected: () => undefined, recovered: () => undefined }),
      memory,
      metrics,
      log,
      retry: DEFAULT_RETRY_POLICY,
      signal: new AbortController().signal,
      now,
    },
    lane,
  );
  return { sink, sent, effects, now, metrics: registry };
}

const [lane10s, , lane15m] = RETRY_LANES as [RetryLane, RetryLane, RetryLane];
const notFound = { processDetails: async () => { throw new CredasRejectedError('credas.not_found', 'Credas answered 404'); } };

describe('CredasRetrievalSink: parked jobs and bounds', () => {
  it('a job due beyond the last lane waits there (at most its bound) instead of cycling back through Kafka', async () => {
    const { sink, sent, effects, now } = laneSink(lane15m, notFound);
    await sink.flush([{ record: origin, value: [job('parked', { attempt: 2, dueAt: now() + 3_600_000 })] }], effects);
    // One outcome, after the wait: Credas was asked (404 → dead letter); no record went back to a lane.
    expect(sent.map((r) => r.topic)).toEqual([Topics.deadLetter.name]);
  });

  it('a job due beyond its lane moves once to the lane that covers the wait', async () => {
    const { sink, sent, effects, now } = laneSink(lane10s, notFound, undefined, 0);
    await sink.flush([{ record: origin, value: [job('moved', { attempt: 2, dueAt: now() + 600_000 })] }], effects);
    expect(sent.map((r) => r.topic)).toEqual([lane15m.topic]);
  });

  it('dead-letters after the last attempt, with the reason and a metric', async () => {
    const unavailable = { processDetails: async () => { throw new CredasUnavailableError('credas.unavailable', 'Credas answered 503'); } };
    const { sink, sent, effects, metrics } = laneSink(lane15m, unavailable);
    await sink.flush([{ record: origin, value: [job('tired', { attempt: DEFAULT_RETRY_POLICY.maxAttempts })] }], effects);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.topic).toBe(Topics.deadLetter.name);
    // Dead-letter headers name the error by class and code, never by its message (it could quote what failed).
    expect(sent[0]!.headers?.[DeadLetterHeaders.error]).toBe('HookbusError');
    expect(sent[0]!.headers?.[DeadLetterHeaders.errorCode]).toBe('credas.unavailable');
    expect(sent[0]!.headers?.[DeadLetterHeaders.attempts]).toBe(String(DEFAULT_RETRY_POLICY.maxAttempts));
    expect(await metrics.getSingleMetricAsString('hookbus_credas_dead_letters_total')).toContain('code="credas.unavailable"} 1');
  });

  it('dead-letters a job whose retry record the lane refuses as too large, instead of failing the batch forever', async () => {
    const unavailable = { processDetails: async () => { throw new CredasUnavailableError('credas.unavailable', 'Credas answered 503'); } };
    const tooLarge = Object.assign(new Error('The request included a message larger than the max message size the server will accept'), { name: 'KafkaJSProtocolError', type: 'MESSAGE_TOO_LARGE', retriable: false });
    const { sink, sent, effects } = laneSink(null, unavailable, async (records) => {
      if (records[0]!.topic !== Topics.deadLetter.name) throw tooLarge;
    });
    await sink.flush([{ record: origin, value: [job('huge')] }], effects);
    expect(sent.map((r) => [r.topic, r.headers?.[DeadLetterHeaders.errorCode]])).toEqual([[Topics.deadLetter.name, 'orchestrator.retry_refused']]);
  });
});
