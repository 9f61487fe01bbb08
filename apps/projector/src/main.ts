import { runService, serviceContext } from '@hookbus/platform';
import { startProjector } from './projector.app';

runService(() => startProjector(serviceContext('projector')));
