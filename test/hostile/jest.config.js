// `npm run test:hostile`: the adversarial suite, run on its own (its own broker, 19294 unless HOSTILE_KAFKA_PORT,
// and its own database per run). The services run as separate processes from dist/, so `npm run build` comes first.
// The hostile *.int-spec.ts files beside it belong to `npm test`; this config runs only *.hostile-spec.ts.
const base = require('../../jest.config.js');
const integration = base.projects.find((p) => p.displayName === 'integration');

module.exports = {
  rootDir: '../..',
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  maxWorkers: 1,
  // As in jest.config.js: a finished run exits even if a client left a socket open.
  forceExit: true,
  testTimeout: 600_000,
  testMatch: ['<rootDir>/test/hostile/**/*.hostile-spec.ts'],
  transform: integration.transform,
  moduleNameMapper: integration.moduleNameMapper,
  testEnvironment: 'node',
};
