import { Registry } from 'prom-client';
import type { BatchEffects, ConsumedRecord, OutgoingRecord } from '@hookbus/kafka';
import type { Logger } from '@hookbus/platform';
import type { CredasApiClient } from './credas-api.client';
import { CredasUnavailableError } from './credas-api.errors';
import { CredasAuthGate } from './credas-auth.gate';
import { CredasRetrievalSink } from './credas-retrieval.sink';
import { orchestratorMetrics } from './orchestrator.metrics';
import type { OrchestratorMemory } from './orchestrator.memory';
import { RetryHeaders, type Planned, type RetrievalJob } from './retrieval-jobs';
import { DEFAULT_RETRY_POLICY } from './retry-schedule';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const origin: ConsumedRecord = { topic: 'events.processes.v1', partition: 0, offset: '7', key: null, value: Buffer.from('{}'), headers: {}, timestamp: '0' };

function job(processId: string): Planned {
  const retrieval: RetrievalJob = {
    processKey: `credas:${processId}`,
    processId,
    entityIdHint: null,
    force: false,
    trigger: { kind: 'completed', eventId: `ev-${processId}`, receiptId: '' },
    attempt: 1,
    dueAt: 0,
    origin,
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
