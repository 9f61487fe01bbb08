import { runService, serviceContext } from '@hookbus/platform';
import { startConsole } from './console.app';

runService(() => startConsole(serviceContext('console')));
