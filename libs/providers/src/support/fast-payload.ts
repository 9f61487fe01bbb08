/**
 * Fast validators: a pure check beside each hot-path DTO that decides "certainly valid" without class-validator's
 * and class-transformer's metadata walk (about 40 % of the normalizer's transform, issue 18). When it says valid it
 * builds the very object plainToInstance would have built (an instance of the DTO, the same keys in the same order,
 * the same coercions, nested values copied the way class-transformer copies them). When it is not sure it answers
 * null and the caller runs the class-validator path as before, so every error message and problem code still comes
 * from the DTO, which stays the public contract. fast-payload.spec.ts and each provider's fast-payload spec prove
 * that a non-null answer is always the one class-validator would give.
 *
 * Hand-written rules rather than ajv schemas: the DTOs coerce before they validate (ToInteger, ToIdText, Cellosign's
 * numeric session id), and several rules are predicates ajv has no keyword for (luxon's ISO reading, identity
 * bytes); transcribed one rule per decorator they read as the DTO does.
 */

/** What one declared field of a DTO accepts, in class-validator's own terms. */
export interface FastFieldRule {
  /** IsDefined: undefined and null are refused. Otherwise the field is IsOptional: undefined and null pass unchecked. */
  readonly required: boolean;
  /** The DTO's @Transform, applied before the check (as class-transformer does). */
  readonly coerce?: (value: unknown) => unknown;
  /** Every other decorator of the field; must answer false whenever one of them might refuse the value. */
  readonly accepts?: (value: unknown) => boolean;
  /** A nested DTO (@ValidateNested + @Type): its own fast validator, null when not certainly valid. */
  readonly nested?: (value: unknown) => object | null;
}

export const requiredField = (accepts: (value: unknown) => boolean, coerce?: (value: unknown) => unknown): FastFieldRule => ({ required: true, accepts, coerce });
export const optionalField = (accepts: (value: unknown) => boolean, coerce?: (value: unknown) => unknown): FastFieldRule => ({ required: false, accepts, coerce });

/** class-validator's IsString (a String object is left to class-validator). */
export const isText = (value: unknown): value is string => typeof value === 'string';
/** IsString + IsNotEmpty. */
export const isNonEmptyText = (value: unknown): value is string => typeof value === 'string' && value !== '';
/**
 * IsString + MaxLength(max). class-validator counts code points less variation selectors, never more than UTF-16
 * units: a string within `max` units is certainly within the limit; a longer one is left to class-validator.
 */
export const isTextWithin = (max: number) => (value: unknown): value is string => typeof value === 'string' && value.length <= max;
/** IsInt. */
export const isInteger = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value);
/** IsInt + Min(0). */
export const isNonNegativeInteger = (value: unknown): value is number => isInteger(value) && value >= 0;
/** IsArray. */
export const isArray = (value: unknown): value is unknown[] => Array.isArray(value);
/** IsObject. */
export const isObjectValue = (value: unknown): value is object => typeof value === 'object' && value !== null && !Array.isArray(value);
/** Matches(pattern) for a pattern without the g or y flag (test is then stateless). */
export const matching = (pattern: RegExp) => (value: unknown): value is string => typeof value === 'string' && pattern.test(value);

/** Why a copy could not be made the way class-transformer makes it; the caller then takes the class-validator path. */
const NOT_COPIED: unique symbol = Symbol('not copied');
/** Deeper than any real body: class-transformer recurses without a limit, so a deeper value is left to it. */
const MAX_COPY_DEPTH = 32;

/**
 * A value as class-transformer copies an untyped property: primitives as they are, arrays and plain objects
 * rebuilt. Objects it would treat differently (a key it skips or calls `new` on: `__proto__`, `constructor`,
 * `toString` and every other name on Object.prototype; a prototype other than Object's) are not copied here.
 */
function copyUntyped(value: unknown, depth = 0): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_COPY_DEPTH) return NOT_COPIED;
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    for (const item of value) {
      const itemCopy = copyUntyped(item, depth + 1);
      if (itemCopy === NOT_COPIED) return NOT_COPIED;
      copy.push(itemCopy);
    }
    return copy;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return NOT_COPIED;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (key in Object.prototype) return NOT_COPIED;
    const fieldCopy = copyUntyped((value as Record<string, unknown>)[key], depth + 1);
    if (fieldCopy === NOT_COPIED) return NOT_COPIED;
    copy[key] = fieldCopy;
  }
  return copy;
}

/**
 * The fast validator of one DTO: `rules` holds one rule per declared field; `carried` names undeclared fields the
 * plain object may hold (class-transformer copies them onto the instance unchecked). Any other key, or a plain
 * object that is not a plain JSON object, is left to class-validator.
 */
export function fastValidator<T extends object>(
  dto: new () => T,
  rules: Readonly<Record<string, FastFieldRule>>,
  carried: readonly string[] = [],
): (plain: unknown) => T | null {
  const required = Object.keys(rules).filter((key) => rules[key]!.required);
  return (plain) => {
    if (!isObjectValue(plain) || Object.getPrototypeOf(plain) !== Object.prototype) return null;
    const source = plain as Record<string, unknown>;
    for (const key of required) {
      if (source[key] === undefined || source[key] === null) return null;
    }
    // Keys in the plain object's order, as plainToInstance assigns them (after the class's own field definitions).
    const instance = new dto() as Record<string, unknown>;
    for (const key of Object.keys(source)) {
      const raw = source[key];
      if (raw === undefined) continue;
      const rule = Object.hasOwn(rules, key) ? rules[key] : undefined;
      if (!rule) {
        if (!carried.includes(key)) return null;
        const copy = copyUntyped(raw);
        if (copy === NOT_COPIED) return null;
        instance[key] = copy;
        continue;
      }
      if (rule.nested) {
        if (raw === null) {
          instance[key] = null;
          continue;
        }
        const nested = rule.nested(raw);
        if (nested === null) return null;
        instance[key] = nested;
        continue;
      }
      const copy = copyUntyped(raw);
      if (copy === NOT_COPIED) return null;
      const value = rule.coerce ? rule.coerce(copy) : copy;
      if (value === undefined) {
        if (rule.required) return null;
        continue;
      }
      if (value === null) {
        if (rule.required) return null;
      } else if (rule.accepts && !rule.accepts(value)) {
        return null;
      }
      instance[key] = value;
    }
    return instance as T;
  };
}
