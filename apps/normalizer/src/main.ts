import { runService, serviceContext } from '@hookbus/platform';
import { startNormalizer } from './normalizer.app';

runService(() => startNormalizer(serviceContext('normalizer')));
