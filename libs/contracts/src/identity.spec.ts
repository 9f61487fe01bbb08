import fc from 'fast-check';
import { MAX_IDENTITY_BYTES, identityProblem, jsonForJsonb, truncateUtf8, withoutNul } from './identity';

const CJK = Array.from({ length: 1024 }, (_, i) => String.fromCodePoint(0x4e00 + i)).join('');

describe('identityProblem: what may become a Kafka key, a communicationId or a processKey', () => {
  it.each<[string, string, RegExp | null]>([
    ['a Credas process id', '9afe8b16-0b4d-4da3-a7d3-353c7ebece0d', null],
    ['an E.164 phone', '+447700900123', null],
    ['a composite Octapush key', 'octapush:sms:+447700900123:camp%3A7', null],
    ['non-Latin text within the bound', 'Ωμέγα-電話-📞', null],
    ['exactly the bound in ASCII', 'x'.repeat(MAX_IDENTITY_BYTES), null],
    ['empty', '', /empty/],
    ['NUL (a %00 phone)', '\u0000', /control character/],
    ['NUL inside', 'abc\u0000def', /control character/],
    ['a newline', 'a\nb', /control character/],
    ['DEL', 'a\u007f', /control character/],
    ['a C1 control', 'a\u0085', /control character/],
    ['a lone high surrogate', 'a\ud83d', /surrogate/],
    ['a lone low surrogate', '\ude00b', /surrogate/],
    ['one byte over in ASCII', 'x'.repeat(MAX_IDENTITY_BYTES + 1), /1025 bytes/],
    ['1,024 CJK characters (3,072 bytes; 1,024 UTF-16 units)', CJK, /3072 bytes/],
  ])('%s', (_name, value, problem) => {
    const found = identityProblem(value);
    if (problem === null) expect(found).toBeNull();
    else expect(found).toMatch(problem);
  });

  it('never quotes the value in its reason', () => {
    expect(identityProblem('+447700900123\u0000')).not.toContain('4477');
  });

  it('accepts only strings that fit the bound in UTF-8 and carry no control character (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 1500 }), (value) => {
        if (identityProblem(value) !== null) return;
        expect(Buffer.byteLength(value, 'utf8')).toBeLessThanOrEqual(MAX_IDENTITY_BYTES);
        expect(value).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
        // Well-formed: the UTF-8 round trip (what a Kafka key becomes) is the same string.
        expect(Buffer.from(value, 'utf8').toString('utf8')).toBe(value);
      }),
    );
  });
});

describe('text bound for Postgres', () => {
  it.each([
    ['no NUL', 'abc', 'abc'],
    ['NUL', '\u0000', '\\u0000'],
    ['several', 'a\u0000b\u0000', 'a\\u0000b\\u0000'],
  ])('withoutNul: %s', (_name, input, expected) => {
    expect(withoutNul(input)).toBe(expected);
  });

  it('jsonForJsonb turns the escape jsonb refuses into the same six characters, and keeps an escaped backslash', () => {
    expect(JSON.parse(jsonForJsonb(JSON.stringify({ phone: '\u0000', '\u0000k': 1 })))).toEqual({ phone: '\\u0000', '\\u0000k': 1 });
    expect(JSON.parse(jsonForJsonb(JSON.stringify({ literal: '\\u0000' })))).toEqual({ literal: '\\u0000' });
    expect(JSON.parse(jsonForJsonb(JSON.stringify({ both: '\\\u0000' })))).toEqual({ both: '\\\\u0000' });
  });

  it.each([
    ['a lone high surrogate', { a: 'x\ud83d' }, { a: 'x\\ud83d' }],
    ['a lone low surrogate', { a: '\ude00y' }, { a: '\\ude00y' }],
    ['a high surrogate at the end of a key', { ['k\ud83d']: 1 }, { ['k\\ud83d']: 1 }],
    ['two highs in a row', { a: '\ud83d\ud83d' }, { a: '\\ud83d\\ud83d' }],
    ['a pair (kept as the character)', { a: '😀' }, { a: '😀' }],
    ['the text of an escape (kept)', { a: '\\ud83d' }, { a: '\\ud83d' }],
  ])('jsonForJsonb: %s (jsonb refuses a lone surrogate escape, 22P02)', (_name, value, expected) => {
    expect(JSON.parse(jsonForJsonb(JSON.stringify(value)))).toEqual(expected);
  });

  it('jsonForJsonb keeps a surrogate pair written as two escapes (valid JSON and valid jsonb)', () => {
    expect(jsonForJsonb('{"a":"\\ud83d\\ude00"}')).toBe('{"a":"\\ud83d\\ude00"}');
  });

  it('jsonForJsonb leaves no \\u0000 escape and no lone surrogate in any JSON (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ unit: 'binary' }), fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) }), (value, text, halves) => {
        const json = jsonForJsonb(JSON.stringify({ value, text, halves }));
        expect(JSON.stringify(JSON.parse(json))).not.toMatch(/(?<!\\)(?:\\\\)*\\u0000/);
        expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(JSON.parse(json))));
        expect(JSON.parse(json).halves.isWellFormed?.() ?? true).toBe(true);
      }),
    );
  });

  it('jsonForJsonb leaves no \\u0000 escape in any JSON (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ unit: 'binary' }), (value, text) => {
        const json = jsonForJsonb(JSON.stringify({ value, text }));
        expect(JSON.stringify(JSON.parse(json))).not.toMatch(/(?<!\\)(?:\\\\)*\\u0000/);
      }),
    );
  });

  it('truncateUtf8 cuts on a character boundary within the bound', () => {
    expect(truncateUtf8('abc', 10)).toBe('abc');
    expect(truncateUtf8('電電電', 7)).toBe('電電');
    expect(truncateUtf8('a📞', 4)).toBe('a');
    expect(Buffer.byteLength(truncateUtf8(CJK, MAX_IDENTITY_BYTES))).toBeLessThanOrEqual(MAX_IDENTITY_BYTES);
  });
});
