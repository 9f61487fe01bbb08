/**
 * Where `npm start` keeps the tracker's state store (scripts/start.ts localTrackerStoreDir): with the project's own
 * broker, inside that broker's data directory, so a test stack with a data directory of its own never writes the
 * store of the user's `npm start`; with any other broker, `.hookbus/tracker-store`.
 */
import { join } from 'node:path';
import { localTrackerStoreDir, parseStartArgs } from './start';

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

/**
 * npm start's command line (scripts/start.ts parseStartArgs): a typo is an error before anything starts, never the
 * wrong stack, nor a stack of nothing called ready.
 */
describe('parseStartArgs', () => {
  const all = ['gateway', 'normalizer', 'tracker', 'orchestrator', 'projector', 'monitor', 'console'];
  it.each([
    ['nothing: every service', [], { services: all, initOnly: false, resetKafka: false, fakeCredas: false }],
    ['--only names, in start order whatever the order given', ['--only', 'tracker,gateway'], { services: ['gateway', 'tracker'], initOnly: false, resetKafka: false, fakeCredas: false }],
    ['--only=names', ['--only=projector'], { services: ['projector'], initOnly: false, resetKafka: false, fakeCredas: false }],
    ['spaces and empty names around commas are ignored', ['--only', ' normalizer, ,projector,'], { services: ['normalizer', 'projector'], initOnly: false, resetKafka: false, fakeCredas: false }],
    ['every switch, with --only among them', ['--fake-credas', '--only', 'orchestrator', '--reset-kafka', '--init-only'], { services: ['orchestrator'], initOnly: true, resetKafka: true, fakeCredas: true }],
  ])('%s', (_, argv, expected) => {
    expect(parseStartArgs(argv)).toEqual(expected);
  });

  it.each([
    ['a name that is no service', ['--only', 'gatewya'], /^--only: unknown service gatewya; expected a comma-separated list of gateway, normalizer/],
    ['two, one valid', ['--only', 'gateway,trakcer,projecter'], /^--only: unknown services trakcer, projecter;/],
    ['the flag with no names', ['--only'], /^--only: no service named;/],
    ['--only= with no names', ['--only='], /^--only: no service named;/],
    ['only commas', ['--only', ',,'], /^--only: no service named;/],
    ['--only twice', ['--only', 'gateway', '--only=tracker'], /^--only given twice; usage: npm start -- /],
    ['a switch twice', ['--reset-kafka', '--reset-kafka'], /^--reset-kafka given twice;/],
    ['a misspelt switch', ['--reset-kafak'], /^unknown argument "--reset-kafak"; usage: npm start -- \[--init-only\] \[--reset-kafka\] \[--fake-credas\] \[--only gateway,normalizer,/],
    ['a stray word', ['gateway'], /^unknown argument "gateway";/],
  ])('refuses %s', (_, argv, message) => {
    expect(() => parseStartArgs(argv)).toThrow(message);
  });
});
