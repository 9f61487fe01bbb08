// `npm run test:hostile`: the adversarial suite, run on its own like the fault suite (whose settings it shares): its
// own broker (19294 unless HOSTILE_KAFKA_PORT) and its own database per run, services as processes from dist/.
// The hostile *.int-spec.ts files beside it belong to `npm test`; this config runs only *.hostile-spec.ts.
const faults = require('../faults/jest.config.js');

module.exports = { ...faults, testMatch: ['<rootDir>/test/hostile/**/*.hostile-spec.ts'] };
