/**
 * Where `npm start` keeps the tracker's state store (scripts/start.ts localTrackerStoreDir): with the project's own
 * broker, inside that broker's data directory, so a test stack with a data directory of its own never writes the
 * store of the user's `npm start`; with any other broker, `.hookbus/tracker-store`.
 */
import { join } from 'node:path';
import { localTrackerStoreDir, selectServices } from './start';

const ROOT = '/repo';

describe('localTrackerStoreDir', () => {
  it.each([
    ['npm start\'s own broker', { dataDir: join(ROOT, '.hookbus', 'kafka') }, join(ROOT, '.hookbus', 'kafka', 'tracker-store')],
    ['a test stack\'s own broker (HOOKBUS_KAFKA_DATA)', { dataDir: '/tmp/console-test/kafka' }, '/tmp/console-test/kafka/tracker-store'],
    ['a broker it did not start (KAFKA_BROKERS elsewhere, or the tests\' broker)', null, join(ROOT, '.hookbus', 'tracker-store')],
  ])('with %s', (_, ownBroker, expected) => {
    expect(localTrackerStoreDir(ownBroker, ROOT)).toBe(expected);
  });
});

/** `--only` (scripts/start.ts selectServices): a typo is an error before anything starts, never a stack of nothing. */
describe('selectServices', () => {
  const all = ['gateway', 'normalizer', 'tracker', 'orchestrator', 'projector', 'monitor', 'console'];
  it.each([
    ['no --only: every service', [], all],
    ['--only names, in start order whatever the order given', ['--only', 'tracker,gateway'], ['gateway', 'tracker']],
    ['spaces and empty names around commas are ignored', ['--only', ' normalizer, ,projector,'], ['normalizer', 'projector']],
    ['other flags around it', ['--fake-credas', '--only', 'orchestrator'], ['orchestrator']],
  ])('%s', (_, argv, expected) => {
    expect(selectServices(argv)).toEqual(expected);
  });

  it.each([
    ['a name that is no service', ['--only', 'gatewya'], /^--only: unknown service gatewya; expected a comma-separated list of gateway, normalizer/],
    ['two, one valid', ['--only', 'gateway,trakcer,projecter'], /^--only: unknown services trakcer, projecter;/],
    ['the flag with no names', ['--only'], /^--only: no service named;/],
    ['only commas', ['--only', ',,'], /^--only: no service named;/],
  ])('refuses %s', (_, argv, message) => {
    expect(() => selectServices(argv)).toThrow(message);
  });
});
