// `npm run test:first-hour`: the README's first hour on a fresh clone (test/first-hour/first-hour.e2e-spec.ts), run
// on its own as the fault suite is (same settings): it clones, installs, builds and starts the whole stack, with
// its own broker, ports and database.
const faults = require('../faults/jest.config.js');

// Each step has its own deadline (first-hour.e2e-spec.ts); a test only needs to outlast it.
module.exports = { ...faults, testTimeout: 1_000_000, testMatch: ['<rootDir>/test/first-hour/**/*.e2e-spec.ts'] };
