// Two projects: `unit` (pure specs beside the code) and `integration` (a real Kafka broker and a real Postgres,
// brought up once by test/support/global-setup.ts). Integration files run one at a time: they share one broker.
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true }, target: 'es2022' } }];
const moduleNameMapper = {
  '^@hookbus/providers/(.*)$': '<rootDir>/libs/providers/src/$1',
  '^@hookbus/(contracts|kafka|nest-kafka|config|db|platform|tracking|providers|lag)$': '<rootDir>/libs/$1/src',
  '^@hookbus/testing$': '<rootDir>/test/support',
};
module.exports = {
  // One worker: integration files share one broker and one database, and this machine has two cores.
  maxWorkers: 1,
  // Integration tests wait for real brokers and databases; each wait has its own, shorter, deadline.
  testTimeout: 120000,
  // No forceExit: every test closes the clients, services and timers it opened, and a run that leaves one behind
  // (jest then does not exit) is a bug to find with --detectOpenHandles, not to hide.
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  projects: [
    {
      displayName: 'unit',
      rootDir: __dirname,
      testMatch: ['<rootDir>/{apps,libs,scripts,test}/**/*.spec.ts'],
      transform: { '^.+\\.ts$': swc },
      moduleNameMapper,
      testEnvironment: 'node',
    },
    {
      displayName: 'integration',
      rootDir: __dirname,
      testMatch: ['<rootDir>/{apps,test}/**/*.int-spec.ts'],
      transform: { '^.+\\.ts$': swc },
      moduleNameMapper,
      testEnvironment: 'node',
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
