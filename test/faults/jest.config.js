// `npm run test:faults`: the fault suite, run on its own (its own broker on 19292, its own Postgres cluster on 19880). The
// services run as separate processes from dist/, so `npm run build` comes first.
const base = require('../../jest.config.js');
const integration = base.projects.find((p) => p.displayName === 'integration');

module.exports = {
  rootDir: '../..',
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  maxWorkers: 1,
  // As in jest.config.js: a finished run exits even if a client left a socket open.
  forceExit: true,
  testTimeout: 600_000,
  testMatch: ['<rootDir>/test/faults/**/*.fault-spec.ts'],
  transform: integration.transform,
  moduleNameMapper: integration.moduleNameMapper,
  testEnvironment: 'node',
};
