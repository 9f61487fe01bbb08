import fc from 'fast-check';
import { InvalidRecordError } from '@hookbus/contracts';
import { validatePayload, type FieldAliases, type JsonObject } from '../payload-support';

/**
 * What the agreement specs of the fast validators (support/fast-payload.ts) share: one plain object run through the
 * public entry (fast validator first) and through class-validator alone must end the same way, the same value (same
 * class, same keys in the same order) or the same refusal (same code, same message).
 */
type Outcome = { readonly value: unknown } | { readonly refusal: { readonly code: string; readonly message: string } } | { readonly thrown: unknown };

function outcome(run: () => unknown): Outcome {
  try {
    return { value: run() };
  } catch (error) {
    return error instanceof InvalidRecordError ? { refusal: { code: error.code, message: error.message } } : { thrown: error };
  }
}

/**
 * Asserts that `withFastPath` and `classValidatorOnly` agree on one input, and answers whether the fast validator was
 * certain (`fastAnswer` non-null): a certain answer must be class-validator's accepted value itself.
 */
export function expectAgreement(fastAnswer: unknown, withFastPath: () => unknown, classValidatorOnly: () => unknown): boolean {
  const fast = outcome(withFastPath);
  const slow = outcome(classValidatorOnly);
  expect(fast).toStrictEqual(slow);
  if ('value' in fast && 'value' in slow) {
    // toStrictEqual compares classes and own undefined fields; the JSON text compares the key order too.
    expect(JSON.stringify(fast.value)).toBe(JSON.stringify(slow.value));
  }
  if (fastAnswer !== null) {
    expect('value' in slow).toBe(true);
    expect(fastAnswer).toStrictEqual((slow as { value: unknown }).value);
    expect(JSON.stringify(fastAnswer)).toBe(JSON.stringify((slow as { value: unknown }).value));
  }
  return fastAnswer !== null;
}

/** `__proto__` as an own key, the way JSON.parse makes it. */
const protoKeyed = JSON.parse('{"__proto__":{"polluted":true},"a":1}') as unknown;

/** Values that sit on a rule's edge: the types each rule mixes up, coercible text, limits, ids, dates, odd objects. */
export const EDGE_VALUES: readonly unknown[] = [
  null, '', ' ', 'path', 'token', 'Delivered', 'unknown-status', 0, -1, 1, 1.5, -0, NaN, Infinity, 2 ** 53, 2 ** 53 + 2, 1e308, true, false,
  '12', ' 7 ', '-3', '1.5', '1e3', '0x10', '12345678901234567', '2025-04-18T10:15:30Z', '2025-04-18T10:15:30', '2025-13-01T00:00:00Z',
  'not a date', 'a:b', 'a/b', 'a b', 'a\u0000b', '\u{1F600}', '\uFE0F', 'a\uD800', 'ok-id_1.2~3',
  [], {}, [1, 'a', null], { nested: { junk: [1, { deeper: 'x' }] } }, { constructor: 'x' }, { toString: 1 }, [{ constructor: {} }], protoKeyed,
  // Lengths around every MaxLength, id and identity limit (64, 128, 200, 500, 1000, the identity bytes), in UTF-16
  // units, in code points and with variation selectors (which class-validator's MaxLength does not count).
  ...[63, 64, 65, 127, 128, 129, 199, 200, 201, 500, 999, 1000, 1001, 1010, 5000].flatMap((n) => ['x'.repeat(n), '\u{1F600}'.repeat(n), `${'x'.repeat(n - 1)}\uFE0F`]),
];

export const edgeValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.constantFrom(...EDGE_VALUES), weight: 4 },
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.jsonValue({ maxDepth: 3 }),
);

type Json = Record<string, unknown> | unknown[];

/** An own property even for `__proto__` (plain assignment would run its setter instead). */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * A deep copy made in this realm (jest runs specs in a vm context: structuredClone's objects would have the host's
 * Object.prototype, which no body parsed here has), own `__proto__` keys kept.
 */
function clone<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(clone) as T;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) setOwn(copy, key, clone((value as Record<string, unknown>)[key]));
  return copy as T;
}

/** Every path to a value inside `value` (object keys and array indexes), outermost first. */
function pathsOf(value: unknown, prefix: readonly (string | number)[] = []): Array<readonly (string | number)[]> {
  if (typeof value !== 'object' || value === null) return [];
  const keys: Array<string | number> = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return keys.flatMap((key) => [[...prefix, key], ...pathsOf((value as Record<string, unknown>)[key as string], [...prefix, key])]);
}

function edited(base: unknown, path: readonly (string | number)[], edit: { kind: 'drop' } | { kind: 'set'; value: unknown } | { kind: 'add'; key: string; value: unknown }): unknown {
  const copy = clone(base) as Json;
  let parent: unknown = copy;
  for (const key of path.slice(0, -1)) parent = (parent as Record<string, unknown>)[key as string];
  const last = path[path.length - 1]!;
  const target = parent as Record<string, unknown>;
  if (edit.kind === 'drop') {
    if (Array.isArray(target)) target.splice(last as number, 1);
    else delete target[last as string];
  } else if (edit.kind === 'set') {
    setOwn(target, String(last), edit.value);
  } else {
    const holder = target[last as string];
    if (typeof holder === 'object' && holder !== null && !Array.isArray(holder)) setOwn(holder as Record<string, unknown>, edit.key, edit.value);
    else setOwn(target, String(last), { [edit.key]: edit.value });
  }
  return copy;
}

/**
 * Every single edit of `base`, for a table: each value inside it dropped or replaced by each edge value, and each of
 * `fieldNames` (and a few names class-transformer treats specially) added at the top level.
 */
export function singleEdits(base: Record<string, unknown>, fieldNames: readonly string[]): Array<[string, unknown]> {
  const edits: Array<[string, unknown]> = [];
  for (const path of pathsOf(base)) {
    const at = path.join('.');
    edits.push([`${at} dropped`, edited(base, path, { kind: 'drop' })]);
    EDGE_VALUES.forEach((value, i) => edits.push([`${at} = edge value #${i}`, edited(base, path, { kind: 'set', value })]));
  }
  for (const key of [...fieldNames, 'unknownField', 'constructor', '__proto__', 'toString']) {
    if (Object.hasOwn(base, key)) continue;
    for (const value of ['text', 7, null, {}]) {
      const copy = clone(base);
      setOwn(copy, key, value);
      edits.push([`${key} added`, copy]);
    }
  }
  return edits;
}

/**
 * `base` with one to three edits anywhere inside it: a field dropped, a field replaced by an edge value, or a new
 * field (one of `fieldNames` or an unknown name) added to an object.
 */
export function mutated(base: Record<string, unknown>, fieldNames: readonly string[]): fc.Arbitrary<unknown> {
  const paths = pathsOf(base);
  const pathArb = fc.constantFrom(...paths);
  const keyArb = fc.oneof(fc.constantFrom(...fieldNames), fc.constantFrom('unknownField', 'constructor', '__proto__', 'toString'));
  const edit = fc.oneof(
    pathArb.map((path) => ({ path, edit: { kind: 'drop' as const } })),
    fc.record({ path: pathArb, value: edgeValue }).map(({ path, value }) => ({ path, edit: { kind: 'set' as const, value } })),
    fc.record({ path: pathArb, key: keyArb, value: edgeValue }).map(({ path, key, value }) => ({ path, edit: { kind: 'add' as const, key, value } })),
    fc.record({ key: keyArb, value: edgeValue }).map(({ key, value }) => ({ path: [] as const, edit: { kind: 'add' as const, key, value } })),
  );
  return fc.array(edit, { minLength: 1, maxLength: 3 }).map((edits) =>
    edits.reduce<unknown>((value, { path, edit: e }) => {
      if (path.length === 0) {
        const copy = clone(value) as Record<string, unknown>;
        if (e.kind === 'add') setOwn(copy, e.key, e.value);
        return copy;
      }
      if (pathsOf(value).every((p) => p.join('\u0000') !== path.join('\u0000'))) return value;
      return edited(value, path, e);
    }, base),
  );
}

/** Runs `agree` on every named input; a disagreement names its input. Answers how many the fast validator was certain of. */
export function agreementOnEvery(inputs: ReadonlyArray<readonly [string, unknown]>, agree: (input: unknown) => boolean): number {
  let certain = 0;
  for (const [name, input] of inputs) {
    try {
      if (agree(input)) certain++;
    } catch (error) {
      throw new Error(`${name}: ${(error as Error).message}`, { cause: error });
    }
  }
  return certain;
}

/** One DTO checked on one picked body: the provider's DTO class, its fast validator and the aliases it was picked by. */
export interface DtoCase {
  readonly name: string;
  readonly dto: new () => object;
  readonly fast: (plain: unknown) => object | null;
  readonly aliases: FieldAliases;
  readonly picked: JsonObject;
}

/**
 * The agreement suite of the DTOs that go through validatePayload (Authvia, Credas): on each case's own body the fast
 * validator is certain and builds class-validator's value; on every single edit and on random mutations of the body
 * both paths end the same way.
 */
export function describeDtoAgreement(title: string, cases: readonly DtoCase[]): void {
  const agree = (c: DtoCase, plain: unknown): boolean => {
    const picked = plain as JsonObject;
    return expectAgreement(c.fast(picked), () => validatePayload(c.dto, picked, c.name, c.fast), () => validatePayload(c.dto, picked, c.name));
  };
  const named = cases.map((c) => [c.name, c] as const);

  describe(title, () => {
    it.each(named)('%s: is certain, and builds what class-validator builds', (_name, c) => {
      expect(agree(c, c.picked)).toBe(true);
    });

    it.each(named)('%s, every single edit: the same value or the same refusal as class-validator', (_name, c) => {
      expect(agreementOnEvery(singleEdits(c.picked, Object.keys(c.aliases)), (plain) => agree(c, plain))).toBeGreaterThan(0);
    });

    it.each(named)('%s, mutated: the same value or the same refusal as class-validator', (_name, c) => {
      fc.assert(
        fc.property(mutated(c.picked, Object.keys(c.aliases)), (plain) => {
          agree(c, plain);
        }),
        { numRuns: 200 },
      );
    });
  });
}
