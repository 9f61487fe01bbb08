import { runService, serviceContext } from '@hookbus/platform';
import { startNormalizer } from '../apps/normalizer/src/normalizer.app';
import { startProjector } from '../apps/projector/src/projector.app';
import { startTracker } from '../apps/tracker/src/tracker.app';

/**
 * A consuming stage as its own process, like apps/<svc>/src/main.ts, but in the consumer group the bench names
 * (BENCH_GROUP_ID): every measurement starts from offsets the bench placed, and the stages' real groups are never
 * touched.
 */
const name = process.argv[2];
const groupId = process.env.BENCH_GROUP_ID;
if (!groupId) throw new Error('BENCH_GROUP_ID is required');

const starters: Record<string, () => Promise<unknown>> = {
  normalizer: () => startNormalizer(serviceContext('normalizer'), { groupId }),
  tracker: () => startTracker(serviceContext('tracker'), { groupId }),
  projector: () => startProjector(serviceContext('projector'), { groupId }),
};
const start = name ? starters[name] : undefined;
if (!start) throw new Error(`unknown service ${String(name)}; expected ${Object.keys(starters).join(', ')}`);
runService(start);
