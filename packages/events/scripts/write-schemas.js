// Writes every contract schema as a JSON file, schemas/<Title>.json, for consumers that are not JavaScript (a Java
// team's validator, a schema registry). Their $id and $ref are the same URIs as in docs/asyncapi.yaml. Silent: this
// runs inside `npm run build`, which run-built.js may start before a command whose stdout is only what was asked for.
// Open schemas (every `additionalProperties: false` removed): a consumer's validator must accept the optional fields
// a later compatible release adds (docs/compatibility.md, the tolerant reader).
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { CONTRACT_SCHEMAS } = require('../dist/packages/events/src/index.js');
const { openSchema } = require('../dist/libs/contracts/src/schemas/open-schema.js');

const out = join(__dirname, '..', 'schemas');
mkdirSync(out, { recursive: true });
for (const schema of CONTRACT_SCHEMAS) {
  if (typeof schema.title !== 'string') throw new Error(`a contract schema has no title: ${JSON.stringify(schema).slice(0, 80)}`);
  writeFileSync(join(out, `${schema.title}.json`), `${JSON.stringify(openSchema(schema), null, 2)}\n`);
}
