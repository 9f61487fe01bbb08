import { runService, serviceContext } from '@hookbus/platform';
import { startOrchestrator } from './orchestrator.app';

runService(() => startOrchestrator(serviceContext('orchestrator')));
