import { runService, serviceContext } from '@hookbus/platform';
import { startTracker } from './tracker.app';

runService(() => startTracker(serviceContext('tracker')));
