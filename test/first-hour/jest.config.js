// `npm run test:first-hour`: the README's first hour on a fresh clone (test/first-hour/first-hour.e2e-spec.ts), run
// on its own: it clones, installs, builds and starts the whole stack, with its own broker, ports and database.
const base = require('../../jest.config.js');
const integration = base.projects.find((p) => p.displayName === 'integration');

module.exports = {
  rootDir: '../..',
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  maxWorkers: 1,
  forceExit: true,
  testTimeout: 600_000,
  testMatch: ['<rootDir>/test/first-hour/**/*.e2e-spec.ts'],
  transform: integration.transform,
  moduleNameMapper: integration.moduleNameMapper,
  testEnvironment: 'node',
};
