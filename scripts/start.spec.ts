/**
 * Where `npm start` keeps the tracker's state store (scripts/start.ts localTrackerStoreDir): with the project's own
 * broker, inside that broker's data directory, so a test stack with a data directory of its own never writes the
 * store of the user's `npm start`; with any other broker, `.hookbus/tracker-store`.
 */
import { join } from 'node:path';
import { localTrackerStoreDir } from './start';

const ROOT = '/repo';

it.each([
  ['npm start\'s own broker', { dataDir: join(ROOT, '.hookbus', 'kafka') }, join(ROOT, '.hookbus', 'kafka', 'tracker-store')],
  ['a test stack\'s own broker (HOOKBUS_KAFKA_DATA)', { dataDir: '/tmp/console-test/kafka' }, '/tmp/console-test/kafka/tracker-store'],
  ['a broker it did not start (KAFKA_BROKERS elsewhere, or the tests\' broker)', null, join(ROOT, '.hookbus', 'tracker-store')],
])('with %s', (_, ownBroker, expected) => {
  expect(localTrackerStoreDir(ownBroker, ROOT)).toBe(expected);
});
