import { runService, serviceContext } from '@hookbus/platform';
import { startMonitor } from './monitor.app';

runService(() => startMonitor(serviceContext('monitor')));
