import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { authviaSignature } from '../../apps/gateway/src/auth/source-authenticator';

/*
 * Hostile requests for every source and kind: a realistic payload of the source's provider (the fixtures in
 * libs/providers/src/<provider>/fixtures), then one attack on it. Generated with fast-check from a seed, so a batch
 * replays exactly (HOSTILE_SEED); nothing here knows what the gateway will answer.
 */

export const HOSTILE_SECRETS = {
  credasHeader: 'hostile-credas-header-secret-8c41f0',
  authvia: 'hostile-authvia-signing-secret-3e9a77',
  octapushToken: 'hostile-octapush-token-51d2c6ab',
  cellosignUser: 'cellosign-hostile',
  cellosignPassword: 'hostile-cellosign-password-a0b7e3',
} as const;

/** The sources the suite attacks: the nine built-in ids, each configured explicitly with a secret. */
export const HOSTILE_SOURCES = [
  { id: 'credas-process', provider: 'credas', kind: 'process', auth: 'header' },
  { id: 'credas-actor', provider: 'credas', kind: 'process-actor', auth: 'header' },
  { id: 'credas-status-update', provider: 'credas', kind: 'status-update', auth: 'header' },
  { id: 'credas-monitoring', provider: 'credas', kind: 'monitoring', auth: 'header' },
  { id: 'authvia-business-process', provider: 'authvia', kind: 'business-process', auth: 'authvia' },
  { id: 'authvia-business-process-action', provider: 'authvia', kind: 'business-process-action', auth: 'authvia' },
  { id: 'octapush-sms', provider: 'octapush', kind: 'sms', auth: 'token' },
  { id: 'octapush-viber', provider: 'octapush', kind: 'viber', auth: 'token' },
  { id: 'cellosign', provider: 'cellosign', kind: 'workflow', auth: 'basic' },
] as const;
export type HostileSource = (typeof HOSTILE_SOURCES)[number];

/** Large enough that a 2 MB field reaches the pipeline rather than stopping at 413: an operator may raise it. */
export const HOSTILE_MAX_BODY_BYTES = 4 * 1024 * 1024;

/** The suite's config: every source named, none open; generous rate limits so bodies, not throttling, are tested. */
export function hostileConfigYaml(): string {
  const auth = (source: HostileSource) => {
    switch (source.auth) {
      case 'header':
        return `{ type: header, name: webhookAuth, value: "${HOSTILE_SECRETS.credasHeader}" }`;
      case 'authvia':
        return `{ type: authvia, secret: "${HOSTILE_SECRETS.authvia}", toleranceSeconds: 300 }`;
      case 'token':
        return `{ type: token, value: "${HOSTILE_SECRETS.octapushToken}" }`;
      case 'basic':
        return `{ type: basic, username: "${HOSTILE_SECRETS.cellosignUser}", password: "${HOSTILE_SECRETS.cellosignPassword}" }`;
    }
  };
  const lines = ['sources:'];
  for (const source of HOSTILE_SOURCES) {
    lines.push(`  - id: ${source.id}`, `    provider: ${source.provider}`, `    kind: ${source.kind}`);
    // Octapush SMS keys messages by the phone (the default), Viber by phone and custom id: both key paths attacked.
    if (source.provider === 'octapush') lines.push('    methods: [GET, POST]', ...(source.kind === 'viber' ? ['    messageKey: [phone, customid]'] : []));
    lines.push(`    maxBodyBytes: ${HOSTILE_MAX_BODY_BYTES}`, '    rateLimit: { requestsPerSecond: 5000, burst: 5000 }', `    auth: ${auth(source)}`);
  }
  return `${lines.join('\n')}\n`;
}

export const REQUEST_CLASSES = [
  'control-chars',
  'surrogates',
  'astral-chars',
  'string-10kb',
  'string-2mb',
  'numbers',
  'wrong-shapes',
  'duplicate-keys',
  'bom',
  'charsets',
  'content-types',
  'repeated-query',
  'path-tricks',
  'wrong-credentials',
  'missing-credentials',
] as const;
export type RequestClass = (typeof REQUEST_CLASSES)[number];

/** What the generator decided; `toHttp` turns it into bytes with fresh credentials at send time. */
export interface HostileRequest {
  /** Position in its batch: with the batch's seed, names the request for a replay. */
  readonly index: number;
  /** `ordinary`: a genuine webhook sent beside the attack, which must still be answered 200 and projected. */
  readonly klass: RequestClass | 'ordinary';
  readonly source: HostileSource;
  readonly method: 'GET' | 'POST';
  /** Exactly as sent (not normalised): path and query string. */
  readonly target: string;
  readonly contentType: string | null;
  readonly body: Buffer | null;
  readonly credentials: 'valid' | 'wrong' | 'missing';
  /** What was attacked, for the report: field name or trick. */
  readonly detail: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Fields = Record<string, Json>;

const uuid = () => fc.uuid({ version: 4 });
const digits = (n: number) => fc.stringOf(fc.constantFrom(...'0123456789'), { minLength: n, maxLength: n });

/** A realistic payload per source; every id fresh, so requests do not collide across batches. */
function basePayload(source: HostileSource): fc.Arbitrary<Fields> {
  switch (source.kind) {
    case 'process':
      return fc.record({ ProcessId: uuid(), ClientId: uuid(), Status: fc.constantFrom(1, 2, 3, 4), StatusDescription: fc.constant('The process is complete') });
    case 'process-actor':
      return fc.record({
        clientId: uuid(),
        processId: uuid(),
        processActorId: fc.integer({ min: 1, max: 99_999 }),
        entityId: uuid(),
        smsStatus: fc.integer({ min: 0, max: 6 }),
        smsStatusDescription: fc.constant('Delivered'),
        emailStatus: fc.integer({ min: 0, max: 6 }),
        emailStatusDescription: fc.constant('Sent'),
      });
    case 'status-update':
      return fc.record({ UpdateType: fc.constantFrom(1, 2, 3), EntityId: uuid(), ClientId: uuid(), NameCheckVerificationResult: fc.constantFrom(0, 1, 2) });
    case 'monitoring':
      return fc.record({ EntityId: uuid(), ClientId: uuid() });
    case 'business-process':
      return fc.record({
        id: uuid(),
        blueprintSlug: fc.constant('invoice-payment'),
        partnerId: uuid(),
        avid: digits(7).map((d) => `AV-${d}`),
        customerId: digits(8).map((d) => `cust-${d}`),
        status: fc.constantFrom('scheduled', 'active', 'resolved', 'failed'),
        version: fc.integer({ min: 1, max: 50 }),
        actions: fc.constant([]),
      });
    case 'business-process-action':
      return fc.record({
        actionId: uuid(),
        partnerId: uuid(),
        avid: digits(7).map((d) => `AV-${d}`),
        businessProcessId: uuid(),
        customerId: digits(8).map((d) => `cust-${d}`),
        type: fc.constant('payment'),
        status: fc.constantFrom('pending', 'completed', 'failed'),
      });
    case 'sms':
    case 'viber':
      return fc.record({
        phone: digits(8).map((d) => `3069${d}`),
        status: fc.constantFrom('Delivered', 'Submitted', 'Failed', 'Blacklisted', 'Sent', 'Seen'),
        customid: digits(6).map((d) => `CRM-${d}`),
        firstname: fc.constant('Maria'),
      });
    case 'workflow':
      return fc.record({
        type: fc.constantFrom('WHEF_CLIENT_FORM_SUBMITTED', 'WHEF_CLIENT_LOGGED_IN', 'WHEF_SESSION_CREATED'),
        timestamp: fc.constant('2025-01-26T09:01:45.120004'),
        sessionId: fc.stringOf(fc.constantFrom(...'ABCDEFGHJKabcdefghjk0123456789'), { minLength: 10, maxLength: 10 }),
        reference: uuid(),
        processNumber: fc.integer({ min: 1, max: 999 }),
      });
  }
}

/** The body the provider would send, from the flat fields above (Credas status updates and Cellosign nest). */
function providerBody(source: HostileSource, f: Fields): Json {
  switch (source.kind) {
    case 'status-update': {
      const { UpdateType, ...inner } = f;
      return { UpdateType: UpdateType ?? null, Payload: JSON.stringify(inner) };
    }
    case 'workflow':
      return {
        event: { type: f.type ?? null, timestamp: f.timestamp ?? null },
        session: { id: f.sessionId ?? null, reference: f.reference ?? null, process_id: f.reference ?? null, process_number: f.processNumber ?? null, recipient: { id: 1, name: 'client' } },
        client: { ip: '203.0.113.24', user_agent: 'Mozilla/5.0' },
      };
    default:
      return f;
  }
}

// --- hostile values --------------------------------------------------------------------------------------------

const CONTROL = fc.constantFrom('\u0000', '\u0001', '\u0007', '\b', '\t', '\n', '\r', '\u001b[31m', '\u007f', '\u0085', '\u2028', '\u202e', '\ufeff', '\ufffe');
const controlMix = fc.tuple(fc.constantFrom('', 'x', 'Delivered', '3069'), fc.array(CONTROL, { minLength: 1, maxLength: 5 }), fc.constantFrom('', 'y', '0000')).map(([a, c, b]) => `${a}${c.join('')}${b}`);
/** NUL is the control character Postgres refuses in text and jsonb (SQLSTATE 22021, 22P05): most attacks carry it. */
const controlString = fc.oneof({ arbitrary: fc.constantFrom('\u0000', 'x\u0000', '3069\u0000', 'Delivered\u0000'), weight: 2 }, { arbitrary: controlMix, weight: 3 });
const surrogateString = fc.constantFrom('\ud800', '\udfff', 'a\ud83d', '\ude00b', '\udc00\ud800', `x${'\ud800'.repeat(50)}`);
const astralString = fc.constantFrom('😀', '𝕏𝕐', '👩‍👩‍👧‍👦', '\u{10ffff}', '𠜎𠜱', `${'😀'.repeat(300)}`);
/** 10 KB of characters, some of them wide in UTF-8 (a 3-byte CJK char counts 1 in UTF-16 and 3 in bytes). */
const string10k = fc.constantFrom('a', '漢', '😀', '\u0000', '%').map((c) => c.repeat(Math.ceil((10 * 1024) / Buffer.byteLength(c))));
const string2m = fc.constantFrom('a', '漢', 'Z\u0001').map((c) => c.repeat(Math.ceil((2 * 1024 * 1024) / Buffer.byteLength(c))));
const hostileNumber = fc.constantFrom(1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, -1, -0.5, 0.5, 1.5e-320, -2147483649, 2 ** 63, 4294967296);
const wrongShape: fc.Arbitrary<Json> = fc.constantFrom<Json>([], ['x'], [1, 2], {}, { a: 'b' }, null, true, false, [[[[]]]], { $ne: null });

const valueFor: Record<'control-chars' | 'surrogates' | 'astral-chars' | 'string-10kb' | 'string-2mb' | 'numbers' | 'wrong-shapes', fc.Arbitrary<Json>> = {
  'control-chars': controlString,
  surrogates: surrogateString,
  'astral-chars': astralString,
  'string-10kb': string10k,
  'string-2mb': string2m,
  numbers: hostileNumber,
  'wrong-shapes': wrongShape,
};

// --- encodings -------------------------------------------------------------------------------------------------

/** Percent-encodes the UTF-8 bytes of `text` (encodeURIComponent throws on a lone surrogate; this writes U+FFFD). */
function percentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9._~-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function queryOf(pairs: ReadonlyArray<readonly [string, string]>, raw = false): string {
  return pairs.map(([k, v]) => `${percentEncode(k)}=${raw ? v : percentEncode(v)}`).join('&');
}

function scalarText(value: Json): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Lone surrogates survive JSON.stringify as escapes (`"\ud800"`), which is what a hostile sender writes. */
const jsonBody = (value: Json) => Buffer.from(JSON.stringify(value), 'utf8');

export interface Generated {
  readonly klass: RequestClass;
  readonly source: HostileSource;
  readonly method: 'GET' | 'POST';
  readonly pathTail: string;
  readonly query: string;
  readonly contentType: string | null;
  readonly body: Buffer | null;
  readonly credentials: 'valid' | 'wrong' | 'missing';
  readonly detail: string;
}

const isOctapush = (s: HostileSource) => s.provider === 'octapush';

/** A normal request of the source, in its usual encoding: octapush by GET query or POST form, others POST JSON. */
function ordinary(source: HostileSource, fields: Fields, octapushGet: boolean): Pick<Generated, 'method' | 'query' | 'contentType' | 'body'> {
  if (isOctapush(source) && octapushGet) return { method: 'GET', query: queryOf(Object.entries(fields).map(([k, v]) => [k, scalarText(v)] as const)), contentType: null, body: null };
  if (isOctapush(source)) return { method: 'POST', query: '', contentType: 'application/x-www-form-urlencoded', body: Buffer.from(queryOf(Object.entries(fields).map(([k, v]) => [k, scalarText(v)] as const))) };
  return { method: 'POST', query: '', contentType: 'application/json', body: jsonBody(providerBody(source, fields)) };
}

/** The fields that become Kafka keys, communication ids or process keys: attacked in half the field attacks. */
const IDENTITY_FIELDS: Record<HostileSource['kind'], readonly string[]> = {
  process: ['ProcessId'],
  'process-actor': ['processId', 'processActorId'],
  'status-update': ['EntityId'],
  monitoring: ['EntityId'],
  'business-process': ['id', 'version'],
  'business-process-action': ['businessProcessId', 'actionId'],
  sms: ['phone', 'status'],
  viber: ['phone', 'customid', 'status'],
  workflow: ['sessionId'],
};

function fieldAttack(klass: keyof typeof valueFor): (source: HostileSource) => fc.Arbitrary<Generated> {
  return (source) =>
    basePayload(source).chain((fields) =>
      fc.tuple(fc.oneof(fc.constantFrom(...IDENTITY_FIELDS[source.kind]), fc.constantFrom(...Object.keys(fields))), valueFor[klass], fc.boolean()).map(([field, value, octapushGet]) => {
        const attacked = { ...fields, [field]: value };
        // A 2 MB query string is not a webhook any server takes: Octapush sends big values by POST.
        const get = octapushGet && klass !== 'string-2mb' && klass !== 'string-10kb';
        return { klass, source, pathTail: '', credentials: 'valid' as const, detail: field, ...ordinary(source, attacked, get) };
      }),
    );
}

function duplicateKeys(source: HostileSource): fc.Arbitrary<Generated> {
  return basePayload(source).chain((fields) =>
    fc.tuple(fc.constantFrom(...Object.keys(fields)), fc.oneof(controlString, hostileNumber, wrongShape, uuid()), fc.boolean()).map(([field, value, hostileFirst]) => {
      if (isOctapush(source)) {
        const pairs = Object.entries(fields).map(([k, v]) => [k, scalarText(v)] as const);
        const extra = [field, scalarText(value)] as const;
        const query = queryOf(hostileFirst ? [extra, ...pairs] : [...pairs, extra]);
        return { klass: 'duplicate-keys' as const, source, method: 'POST' as const, pathTail: '', query: '', contentType: 'application/json', body: Buffer.from(`{${query.split('&').map((p) => { const [k, v] = p.split('='); return `${JSON.stringify(decodeURIComponent(k!))}:${JSON.stringify(safeDecode(v!))}`; }).join(',')}}`), credentials: 'valid' as const, detail: field };
      }
      // Duplicate keys at the top level: JSON.parse keeps the last one, another parser might keep the first.
      const body = JSON.stringify(providerBody(source, fields));
      const key = source.kind === 'status-update' && field !== 'UpdateType' ? 'Payload' : source.kind === 'workflow' ? 'session' : field;
      const dup = `${JSON.stringify(key)}:${JSON.stringify(value)}`;
      const text = hostileFirst ? `{${dup},${body.slice(1)}` : `${body.slice(0, -1)},${dup}}`;
      return { klass: 'duplicate-keys' as const, source, method: 'POST' as const, pathTail: '', query: '', contentType: 'application/json', body: Buffer.from(text), credentials: 'valid' as const, detail: `${key} (hostile ${hostileFirst ? 'first' : 'last'})` };
    }),
  );
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function bom(source: HostileSource): fc.Arbitrary<Generated> {
  return basePayload(source).chain((fields) =>
    fc.constantFrom('utf8-bom', 'utf16le-bom', 'utf16be-bom', 'double-bom', 'bom-inside').map((variant) => {
      const text = JSON.stringify(providerBody(source, fields));
      const bodies: Record<string, [Buffer, string]> = {
        'utf8-bom': [Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), 'application/json'],
        'utf16le-bom': [Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]), 'application/json; charset=utf-16'],
        'utf16be-bom': [Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]), 'application/json; charset=utf-16be'],
        'double-bom': [Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf]), Buffer.from(text)]), 'application/json'],
        'bom-inside': [Buffer.from(text.replace(':', ':\ufeff')), 'application/json'],
      };
      const [body, contentType] = bodies[variant]!;
      return { klass: 'bom' as const, source, method: 'POST' as const, pathTail: '', query: '', contentType, body, credentials: 'valid' as const, detail: variant };
    }),
  );
}

function charsets(source: HostileSource): fc.Arbitrary<Generated> {
  return basePayload(source).chain((fields) =>
    fc.constantFrom('iso-8859-1', 'utf-16', 'utf-7', 'ebcdic', 'x-unknown', '"utf-8"', 'UTF-8', 'utf-8; charset=latin1', 'utf-8\u00ff').map((charset) => {
      const withAccent = { ...fields, [Object.keys(fields).at(-1)!]: 'Pāpadopoúlou Ω €' };
      const text = JSON.stringify(providerBody(source, withAccent));
      const body = charset === 'iso-8859-1' ? Buffer.from(text, 'latin1') : charset === 'utf-16' ? Buffer.from(text, 'utf16le') : Buffer.from(text);
      const type = isOctapush(source) ? 'application/x-www-form-urlencoded' : 'application/json';
      const payload = isOctapush(source) ? Buffer.from(queryOf(Object.entries(withAccent).map(([k, v]) => [k, scalarText(v)] as const))) : body;
      return { klass: 'charsets' as const, source, method: 'POST' as const, pathTail: '', query: '', contentType: `${type}; charset=${charset}`, body: payload, credentials: 'valid' as const, detail: charset };
    }),
  );
}

function contentTypes(source: HostileSource): fc.Arbitrary<Generated> {
  return basePayload(source).chain((fields) =>
    fc.constantFrom<string | null>(null, '', 'text/plain', 'application/x-www-form-urlencoded', 'APPLICATION/JSON', 'application/vnd.api+json', 'application/json, text/html', 'multipart/form-data', 'application/json;;;', 'application/json; boundary=x', '*/*', 'application/octet-stream', 'text/json').map((contentType) => {
      const body = isOctapush(source) && contentType === 'application/x-www-form-urlencoded' ? Buffer.from(JSON.stringify(fields)) : jsonBody(providerBody(source, fields));
      return { klass: 'content-types' as const, source, method: 'POST' as const, pathTail: '', query: '', contentType, body, credentials: 'valid' as const, detail: String(contentType) };
    }),
  );
}

function repeatedQuery(source: HostileSource): fc.Arbitrary<Generated> {
  return basePayload(source).chain((fields) =>
    fc.tuple(fc.constantFrom(...Object.keys(fields)), fc.integer({ min: 2, max: 200 }), fc.constantFrom('same', 'different', 'empty', 'raw-escapes')).map(([field, times, variant]) => {
      const values = Array.from({ length: times }, (_, i) => (variant === 'same' ? scalarText(fields[field]!) : variant === 'empty' ? '' : variant === 'raw-escapes' ? ['%00', '%ED%A0%80', '%FF%FE', '%', '%zz', '%C0%AF'][i % 6]! : `${scalarText(fields[field]!)}-${i}`));
      if (isOctapush(source)) {
        const pairs = Object.entries(fields).filter(([k]) => k !== field).map(([k, v]) => `${percentEncode(k)}=${percentEncode(scalarText(v))}`);
        const repeated = values.map((v) => `${percentEncode(field)}=${variant === 'raw-escapes' ? v : percentEncode(v)}`);
        return { klass: 'repeated-query' as const, source, method: 'GET' as const, pathTail: '', query: [...pairs, ...repeated].join('&'), contentType: null, body: null, credentials: 'valid' as const, detail: `${field} ×${times} (${variant})` };
      }
      // Non-Octapush sources ignore the query, but the gateway still parses and stores it.
      const query = values.map((v) => `${percentEncode(field)}=${variant === 'raw-escapes' ? v : percentEncode(v)}`).join('&');
      return { klass: 'repeated-query' as const, source, method: 'POST' as const, pathTail: '', query, contentType: 'application/json', body: jsonBody(providerBody(source, fields)), credentials: 'valid' as const, detail: `${field} ×${times} (${variant})` };
    }),
  );
}

const PATH_TRICKS = ['/', '//', '/%00', '/Delivered%00', '/..', '/%2e%2e', '/..%2F..%2Fhealth', '/%2F', '/Delivered/extra', '/%ED%A0%80', '/%FF', '/%F0%9F%98%80', '/%E2%80%AE', `/${'d'.repeat(2000)}`, '/%', '/%zz', ';jsessionid=1', '%20', '/%20Delivered%09', '/%1B%5B31m'];

function pathTricks(source: HostileSource): fc.Arbitrary<Generated> {
  return basePayload(source).chain((fields) =>
    fc.tuple(fc.constantFrom(...PATH_TRICKS), fc.boolean()).map(([pathTail, asGet]) => {
      const shape = ordinary(source, fields, asGet);
      return { klass: 'path-tricks' as const, source, pathTail, credentials: 'valid' as const, detail: pathTail.slice(0, 40), ...shape };
    }),
  );
}

function credentialAttack(klass: 'wrong-credentials' | 'missing-credentials'): (source: HostileSource) => fc.Arbitrary<Generated> {
  return (source) =>
    basePayload(source).chain((fields) =>
      fc.boolean().map((asGet) => ({ klass, source, pathTail: '', credentials: klass === 'wrong-credentials' ? ('wrong' as const) : ('missing' as const), detail: source.auth, ...ordinary(source, fields, asGet) })),
    );
}

const GENERATORS: Record<RequestClass, (source: HostileSource) => fc.Arbitrary<Generated>> = {
  'control-chars': fieldAttack('control-chars'),
  surrogates: fieldAttack('surrogates'),
  'astral-chars': fieldAttack('astral-chars'),
  'string-10kb': fieldAttack('string-10kb'),
  'string-2mb': fieldAttack('string-2mb'),
  numbers: fieldAttack('numbers'),
  'wrong-shapes': fieldAttack('wrong-shapes'),
  'duplicate-keys': duplicateKeys,
  bom,
  charsets,
  'content-types': contentTypes,
  'repeated-query': repeatedQuery,
  'path-tricks': pathTricks,
  'wrong-credentials': credentialAttack('wrong-credentials'),
  'missing-credentials': credentialAttack('missing-credentials'),
};

/** 2 MB strings cost real time and memory on a 2-core CI machine: a few per batch, not one in fifteen. */
const WEIGHT: Partial<Record<RequestClass, number>> = { 'string-2mb': 1, 'wrong-credentials': 3, 'missing-credentials': 2 };

const hostileRequest: fc.Arbitrary<Generated> = fc.constantFrom(...HOSTILE_SOURCES).chain((source) =>
  fc.oneof(...REQUEST_CLASSES.map((klass) => ({ arbitrary: GENERATORS[klass](source), weight: WEIGHT[klass] ?? 4 }))),
);

/** One batch of hostile requests, the same for the same seed; `index` numbers them within the batch. */
export function hostileBatch(seed: number, size: number): HostileRequest[] {
  return fc.sample(hostileRequest, { seed, numRuns: size }).map((g, i) => ({
    index: i,
    klass: g.klass,
    source: g.source,
    method: g.method,
    target: `/webhooks/${g.source.id}${g.pathTail}${g.query ? `?${g.query}` : ''}`,
    contentType: g.contentType,
    body: g.body,
    credentials: g.credentials,
    detail: g.detail,
  }));
}

/** Genuine webhooks (valid payload, valid credentials), one seed apart from the hostile batch of the same seed. */
export function ordinaryBatch(seed: number, size: number): HostileRequest[] {
  const genuine = fc.constantFrom(...HOSTILE_SOURCES).chain((source) => basePayload(source).chain((fields) => fc.boolean().map((get) => ({ source, ...ordinary(source, fields, get) }))));
  return fc.sample(genuine, { seed: seed ^ 0x5bd1e995, numRuns: size }).map((g, i) => ({
    index: -1 - i,
    klass: 'ordinary' as const,
    source: g.source,
    method: g.method,
    target: `/webhooks/${g.source.id}${g.query ? `?${g.query}` : ''}`,
    contentType: g.contentType,
    body: g.body,
    credentials: 'valid' as const,
    detail: 'genuine',
  }));
}

/** Headers and target with credentials made now (an Authvia signature is only valid for its tolerance window). */
export function credentialed(request: HostileRequest, nowMs = Date.now()): { target: string; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  if (request.contentType !== null) headers['content-type'] = request.contentType;
  let target = request.target;
  if (request.credentials === 'missing') return { target, headers };
  const wrong = request.credentials === 'wrong';
  switch (request.source.auth) {
    case 'header':
      headers.webhookauth = wrong ? `guess-${randomUUID()}` : HOSTILE_SECRETS.credasHeader;
      break;
    case 'authvia': {
      const value = randomUUID();
      const timestamp = String(Math.floor(nowMs / 1000));
      headers['x-authvia-value'] = value;
      headers['x-authvia-timestamp'] = timestamp;
      headers['x-authvia-signature'] = authviaSignature(wrong ? 'not-the-secret' : HOSTILE_SECRETS.authvia, value, timestamp);
      break;
    }
    case 'token': {
      const token = `token=${wrong ? `guess-${randomUUID()}` : HOSTILE_SECRETS.octapushToken}`;
      target = target.includes('?') ? `${target}&${token}` : `${target}?${token}`;
      break;
    }
    case 'basic': {
      const password = wrong ? `guess-${randomUUID()}` : HOSTILE_SECRETS.cellosignPassword;
      headers.authorization = `Basic ${Buffer.from(`${HOSTILE_SECRETS.cellosignUser}:${password}`).toString('base64')}`;
      break;
    }
  }
  return { target, headers };
}

/** One line naming a request, for failure reports: control characters escaped, long values cut. */
export function describeRequest(request: HostileRequest): string {
  const cut = (text: string, n: number) => JSON.stringify(text.length > n ? `${text.slice(0, n)}…(${text.length} chars)` : text);
  const body = request.body === null ? 'no body' : `body ${cut(request.body.toString('utf8'), 200)}`;
  return `#${request.index} [${request.klass}] ${request.method} ${cut(request.target, 160)} content-type ${JSON.stringify(request.contentType)} credentials ${request.credentials} (${request.detail.slice(0, 60)}); ${body}`;
}
