// `npm run test:console`: the console in a real browser (Debian's chromium driven by playwright-core) against a
// whole `npm start` stack of its own: broker on 19910 (CONSOLE_TEST_KAFKA_PORT), services on 19900-19907
// (CONSOLE_TEST_PORT_BASE), database hookbus_console_core_browser. It writes the pages' screenshots to docs/console/.
const faults = require('../faults/jest.config.js');

module.exports = { ...faults, testTimeout: 300_000, testMatch: ['<rootDir>/test/console/**/*.e2e-spec.ts'] };
