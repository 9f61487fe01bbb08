import { createHash } from 'node:crypto';
import { InvalidRecordError } from '@hookbus/contracts';
import { MAX_INLINE_STRING_BYTES, omitLargeStrings } from './cellosign-archive';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('omitLargeStrings', () => {
  it('keeps strings up to the limit and describes longer ones by pointer, size and digest', () => {
    const atLimit = 'a'.repeat(MAX_INLINE_STRING_BYTES);
    const over = 'b'.repeat(MAX_INLINE_STRING_BYTES + 1);
    const { value, omitted } = omitLargeStrings({ a: atLimit, list: [1, { 'x/y~z': over }] }, 'r-1');
    const descriptor = { omitted: true, bytes: MAX_INLINE_STRING_BYTES + 1, sha256: sha256(over), pointer: '/list/1/x~1y~0z', receiptId: 'r-1', encoding: 'base64', mediaType: null };
    expect(value).toEqual({ a: atLimit, list: [1, { 'x/y~z': descriptor }] });
    expect(omitted).toEqual([descriptor]);
  });

  it('counts UTF-8 bytes, not characters', () => {
    const hebrew = 'ש'.repeat(2049); // 2 bytes each: 4098 bytes
    expect(omitLargeStrings(hebrew, 'r').omitted).toEqual([expect.objectContaining({ pointer: '', bytes: 4098, encoding: 'text' })]);
    expect(omitLargeStrings('ש'.repeat(2048), 'r').omitted).toEqual([]);
  });

  it.each([
    ['JVBERi0xLjcK' + 'A'.repeat(5000), 'base64', 'application/pdf'],
    ['/9j/4AAQSkZJRgABAQ' + 'A'.repeat(5000), 'base64', 'image/jpeg'],
    ['iVBORw0KGgo' + 'A'.repeat(5000), 'base64', 'image/png'],
    ['data:application/pdf;base64,' + 'A'.repeat(5000), 'base64', 'application/pdf'],
    ['<html>' + ' '.repeat(5000), 'text', null],
  ])('describes %#: %s %s', (text, encoding, mediaType) => {
    expect(omitLargeStrings({ f: text }, 'r').omitted[0]).toMatchObject({ encoding, mediaType });
  });

  it('copies __proto__ and constructor keys as own properties without touching a prototype', () => {
    const payload = JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}');
    const { value } = omitLargeStrings(payload, 'r');
    expect(Object.hasOwn(value as object, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect((value as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses nesting deeper than any accepted JSON', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 200; i++) deep = { d: deep };
    expect(() => omitLargeStrings(deep, 'r')).toThrow(InvalidRecordError);
  });
});
