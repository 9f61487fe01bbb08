/**
 * The architecture's boundaries, checked by a tool (npm run lint:deps; also a unit test):
 * - the pure core (contracts, providers, tracking, kafka, config, lag's evaluator) never imports Nest or TypeORM;
 * - libs never import apps; apps never import each other (tests under apps/<app>/test may start other stages);
 * - nothing imports test code except tests;
 * - records are built and read only through libs/contracts' codecs: the header names (record-headers.ts) are theirs
 *   (and the AsyncAPI schemas', which publish them); specs may name them to assert what the wire carries.
 */
module.exports = {
  forbidden: [
    {
      name: 'pure-core-without-frameworks',
      severity: 'error',
      comment: 'Provider knowledge, state machines, contracts and Kafka plumbing stay framework-free (ARCHITECTURE.md).',
      from: { path: '^libs/(contracts|providers|tracking|kafka|config)/' },
      to: { path: 'node_modules/(@nestjs|typeorm)/' },
    },
    {
      name: 'libs-do-not-import-apps',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'apps-do-not-import-each-other',
      severity: 'error',
      comment: 'Services talk only through Kafka topics.',
      from: { path: '^apps/([^/]+)/src/', pathNot: '\\.spec\\.ts$' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'production-code-does-not-import-tests',
      severity: 'error',
      from: { path: '^(apps/[^/]+/src|libs)/', pathNot: '(\\.spec\\.ts$|/testing/)' },
      to: { path: '^test/' },
    },
    {
      name: 'records-only-through-codecs',
      severity: 'error',
      comment:
        'One codec per record kind (libs/contracts/src/codecs): a writer or reader that names a record header builds or reads a record by hand. Use the kind\'s codec, or add one (CONTRIBUTING.md).',
      from: { pathNot: '(^libs/contracts/src/(codecs|schemas)/|^libs/contracts/src/record-headers\\.ts$|[.-]spec\\.ts$)' },
      to: { path: '^libs/contracts/src/record-headers\\.ts$' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: '^(apps|libs)/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^dist/|\\.d\\.ts$)' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
