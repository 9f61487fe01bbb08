import { entityIdFromDetails } from './credas-details';

describe('entityIdFromDetails', () => {
  it.each<[string, unknown, string | null]>([
    ['processActors[].entityId', { id: 'p', processActors: [{ id: 1, entityId: 'e-1' }] }, 'e-1'],
    ['the first actor that has one', { processActors: [{ id: 1 }, { id: 2, entityId: 'e-2' }] }, 'e-2'],
    ['PascalCase actors', { ProcessActors: [{ EntityId: 'e-3' }] }, 'e-3'],
    ['a nested actor entity', { processActors: [{ entity: { id: 'e-4' } }] }, 'e-4'],
    ['a top-level entityId', { entityId: 'e-5', processActors: [] }, 'e-5'],
    ['a top-level entity object', { entity: { id: 'e-6' } }, 'e-6'],
    ['no entity anywhere', { id: 'p', processActors: [] }, null],
    ['blank ids', { processActors: [{ entityId: '  ' }] }, null],
    ['not an object', ['e-7'], null],
    ['null', null, null],
  ])('reads %s', (_what, details, expected) => {
    expect(entityIdFromDetails(details)).toBe(expected);
  });
});
