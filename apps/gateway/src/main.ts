import { runService, serviceContext } from '@hookbus/platform';
import { startGateway } from './gateway.app';

runService(() => startGateway(serviceContext('gateway')));
