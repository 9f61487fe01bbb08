import { openSchema } from './open-schema';

describe('openSchema: the consumer copy of a contract schema allows fields added by later releases', () => {
  it.each<[string, unknown, unknown]>([
    ['a closed object', { type: 'object', additionalProperties: false, properties: { a: { type: 'string' } } }, { type: 'object', properties: { a: { type: 'string' } } }],
    ['a nested closed object', { properties: { data: { additionalProperties: false } } }, { properties: { data: {} } }],
    ['inside allOf/if/then/items', { allOf: [{ if: { additionalProperties: false }, then: { items: { additionalProperties: false } } }] }, { allOf: [{ if: {}, then: { items: {} } }] }],
    ['a schema for other fields stays', { additionalProperties: { type: 'string' } }, { additionalProperties: { type: 'string' } }],
    ['a property called additionalProperties stays', { properties: { additionalProperties: { const: false } } }, { properties: { additionalProperties: { const: false } } }],
    ['a const value stays', { const: { additionalProperties: false } }, { const: { additionalProperties: false } }],
  ])('%s', (_name, schema, open) => {
    expect(openSchema(schema)).toEqual(open);
  });
});
