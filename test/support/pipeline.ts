import type { RunningService } from '@hookbus/nest-kafka';
import { startGateway } from '../../apps/gateway/src/gateway.app';
import { NORMALIZER_TOPICS, startNormalizer } from '../../apps/normalizer/src/normalizer.app';
import { PROJECTOR_TOPICS, startProjector } from '../../apps/projector/src/projector.app';
import { TRACKER_TOPICS, startTracker } from '../../apps/tracker/src/tracker.app';
import { groupStartingNow } from './consumer-groups';
import { testServiceContext } from './service-context';
import { waitFor } from './wait-for';

/**
 * Gateway, normalizer, tracker and projector in this process, on one config: the whole path of a webhook. Each
 * consumer has a group of its own that starts at the topics' current end (groupStartingNow), so the pipeline sees
 * only what its test sends, whatever other test files left on the broker.
 */
export interface Pipeline {
  readonly gateway: RunningService;
  close(): Promise<void>;
}

/** Not exported from index.ts: only cross-service tests need the apps (and their start-up cost). */
export async function startPipeline(yaml: string): Promise<Pipeline> {
  const started: RunningService[] = [];
  try {
    const gateway = await startGateway(testServiceContext('gateway', { yaml }), { port: 0 });
    started.push(gateway);
    started.push(await startNormalizer(testServiceContext('normalizer', { yaml }), { port: 0, groupId: await groupStartingNow('test-pipeline-normalizer', NORMALIZER_TOPICS) }));
    started.push(await startTracker(testServiceContext('tracker', { yaml }), { port: 0, groupId: await groupStartingNow('test-pipeline-tracker', TRACKER_TOPICS) }));
    started.push(await startProjector(testServiceContext('projector', { yaml }), { port: 0, groupId: await groupStartingNow('test-pipeline-projector', PROJECTOR_TOPICS) }));
    await waitFor(async () => (await fetch(`${gateway.url}/health/ready`)).ok, { what: 'the gateway ready' });
    return { gateway, close: () => closeAll(started) };
  } catch (error) {
    await closeAll(started);
    throw error;
  }
}

async function closeAll(services: readonly RunningService[]): Promise<void> {
  for (const service of services) await service.close();
}
