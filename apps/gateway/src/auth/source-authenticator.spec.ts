import { Writable } from 'node:stream';
import pino from 'pino';
import type { SourceAuth } from '@hookbus/config';
import { SECRET_HEADER_NAMES } from '@hookbus/contracts';
import { REDACTED_PATHS } from '@hookbus/platform';
import { MAX_AUTHVIA_SIGNATURE_LENGTH, authenticate, authviaSignature, secretHeaderNames, standardWebhooksSignature, withoutBase64Padding, type AuthRequest } from './source-authenticator';

const NOW_MS = Date.UTC(2025, 0, 26, 8, 49, 33);
const NOW_S = String(NOW_MS / 1000);
const BODY = Buffer.from('{"id":"bp-1","status":"resolved"}');

function request(headers: Record<string, string> = {}, query: Record<string, string> = {}, body = BODY): AuthRequest {
  return { headers, query, body };
}

describe('authenticate', () => {
  describe('none', () => {
    it('accepts anything', () => {
      expect(authenticate({ type: 'none' }, request(), NOW_MS)).toEqual({ ok: true });
    });
  });

  describe('token', () => {
    const auth: SourceAuth = { type: 'token', value: 's3cret', param: 'token' };
    it.each([
      ['the right token', { token: 's3cret' }, { ok: true }],
      ['a wrong token', { token: 's3cret2' }, { ok: false, reason: 'invalid credentials' }],
      ['a token of another length', { token: 's' }, { ok: false, reason: 'invalid credentials' }],
      ['no token', {}, { ok: false, reason: 'missing credentials' }],
      ['an empty token', { token: '' }, { ok: false, reason: 'missing credentials' }],
      ['the secret under another name', { key: 's3cret' }, { ok: false, reason: 'missing credentials' }],
    ])('%s', (_name, query, expected) => {
      expect(authenticate(auth, request({}, query), NOW_MS)).toEqual(expected);
    });
    it('reads the configured parameter', () => {
      expect(authenticate({ type: 'token', value: 'x', param: 'k' }, request({}, { k: 'x' }), NOW_MS).ok).toBe(true);
    });
  });

  describe('header', () => {
    const auth: SourceAuth = { type: 'header', name: 'webhookauth', value: '123456' };
    it.each([
      ['the right value', { webhookauth: '123456' }, true],
      ['a wrong value', { webhookauth: '654321' }, false],
      ['no header', {}, false],
      ['the value in another header', { authorization: '123456' }, false],
    ])('%s', (_name, headers, ok) => {
      expect(authenticate(auth, request(headers), NOW_MS).ok).toBe(ok);
    });
  });

  describe('basic', () => {
    const auth: SourceAuth = { type: 'basic', username: 'cello', password: 'p:ss' };
    const basic = (credentials: string) => ({ authorization: `Basic ${Buffer.from(credentials).toString('base64')}` });
    it.each([
      ['the right pair (a colon in the password)', basic('cello:p:ss'), { ok: true }],
      ['a wrong password', basic('cello:pass'), { ok: false, reason: 'invalid credentials' }],
      ['a wrong user', basic('other:p:ss'), { ok: false, reason: 'invalid credentials' }],
      ['no colon', basic('cellop'), { ok: false, reason: 'invalid credentials' }],
      ['another scheme', { authorization: 'Bearer abc' }, { ok: false, reason: 'missing credentials' }],
      ['no header', {}, { ok: false, reason: 'missing credentials' }],
    ])('%s', (_name, headers, expected) => {
      expect(authenticate(auth, request(headers), NOW_MS)).toEqual(expected);
    });
  });

  describe('authvia', () => {
    const auth: SourceAuth = { type: 'authvia', secret: 'authvia-secret', toleranceSeconds: 300 };
    const signed = (timestamp: string, secret = 'authvia-secret', value = 'r4nd0m-v4lue') => ({
      'x-authvia-signature': authviaSignature(secret, value, timestamp),
      'x-authvia-value': value,
      'x-authvia-timestamp': timestamp,
      'x-authvia-algorithm': 'SHA-256',
    });

    it('signs {VALUE}.{VALUE.length}.{TIMESTAMP} with HMAC-SHA256 in Base64', () => {
      // Computed independently: printf 'abc.3.1700000000' | openssl dgst -sha256 -hmac key -binary | base64
      expect(authviaSignature('key', 'abc', '1700000000')).toBe('Jfa33h5RmPUMhK12ozV0ZN8xoGRWSt3olvYAujDm/h4=');
    });
    it.each([
      ['a fresh signature', signed(NOW_S), { ok: true }],
      ['a signature 300 s old (at the tolerance)', signed(String(Number(NOW_S) - 300)), { ok: true }],
      ['a signature 301 s old', signed(String(Number(NOW_S) - 301)), { ok: false, reason: 'signature timestamp outside the tolerance' }],
      ['a timestamp 301 s in the future', signed(String(Number(NOW_S) + 301)), { ok: false, reason: 'signature timestamp outside the tolerance' }],
      ['a wrong secret', signed(NOW_S, 'other-secret'), { ok: false, reason: 'invalid signature' }],
      ['a timestamp that is not epoch seconds', signed('2025-01-26T08:49:33Z'), { ok: false, reason: 'invalid signature timestamp' }],
      ['another algorithm', { ...signed(NOW_S), 'x-authvia-algorithm': 'SHA-1' }, { ok: false, reason: 'unsupported signature algorithm' }],
    ])('%s', (_name, headers, expected) => {
      expect(authenticate(auth, request(headers), NOW_MS)).toEqual(expected);
    });
    it('refuses a signature whose value was swapped', () => {
      expect(authenticate(auth, request({ ...signed(NOW_S), 'x-authvia-value': 'other-value' }), NOW_MS).ok).toBe(false);
    });
    it('refuses a signature longer than any HMAC encoding before examining it, even one that is right but padded', () => {
      const headers = signed(NOW_S);
      const padded = `${headers['x-authvia-signature']}${'='.repeat(MAX_AUTHVIA_SIGNATURE_LENGTH)}`;
      expect(authenticate(auth, request({ ...headers, 'x-authvia-signature': padded }), NOW_MS)).toEqual({ ok: false, reason: 'invalid signature' });
    });
    it.each([['', ''], ['abc', 'abc'], ['abc==', 'abc'], ['=', ''], ['a=b=', 'a=b'], [`${'='.repeat(16_000)}x`, `${'='.repeat(16_000)}x`]])('strips the padding of %j without a regex', (text, stripped) => {
      expect(withoutBase64Padding(text)).toBe(stripped);
    });
    it('accepts a signature sent without Base64 padding', () => {
      const headers = signed(NOW_S);
      expect(authenticate(auth, request({ ...headers, 'x-authvia-signature': headers['x-authvia-signature'].replace(/=+$/, '') }), NOW_MS).ok).toBe(true);
    });
    it.each(['x-authvia-signature', 'x-authvia-value', 'x-authvia-timestamp'])('refuses a request without %s', (name) => {
      const headers: Record<string, string> = signed(NOW_S);
      delete headers[name];
      expect(authenticate(auth, request(headers), NOW_MS)).toEqual({ ok: false, reason: 'missing credentials' });
    });
    it('honours a configured tolerance', () => {
      const strict: SourceAuth = { type: 'authvia', secret: 'authvia-secret', toleranceSeconds: 10 };
      expect(authenticate(strict, request(signed(String(Number(NOW_S) - 11))), NOW_MS).ok).toBe(false);
      expect(authenticate(strict, request(signed(String(Number(NOW_S) - 10))), NOW_MS).ok).toBe(true);
    });
  });

  describe('standard-webhooks', () => {
    const OLD = `whsec_${Buffer.from('old-key-bytes-0123456789').toString('base64')}`;
    const NEW = `whsec_${Buffer.from('new-key-bytes-9876543210').toString('base64')}`;
    const headers = (signatures: string, timestamp = NOW_S) => ({ 'webhook-id': 'msg_1', 'webhook-timestamp': timestamp, 'webhook-signature': signatures });
    const v1 = (secret: string, timestamp = NOW_S, body = BODY) => `v1,${standardWebhooksSignature(secret, 'msg_1', timestamp, body)}`;

    it('verifies a signature over {id}.{timestamp}.{body}', () => {
      expect(authenticate({ type: 'standard-webhooks', secrets: [NEW], toleranceSeconds: 300 }, request(headers(v1(NEW))), NOW_MS)).toEqual({ ok: true });
    });
    it('accepts the sender signing with old and new keys while we only know the new one', () => {
      const auth: SourceAuth = { type: 'standard-webhooks', secrets: [NEW], toleranceSeconds: 300 };
      expect(authenticate(auth, request(headers(`${v1(OLD)} ${v1(NEW)}`)), NOW_MS).ok).toBe(true);
    });
    it('accepts a rotated key: the sender still signs with the old one, we hold both', () => {
      const auth: SourceAuth = { type: 'standard-webhooks', secrets: [NEW, OLD], toleranceSeconds: 300 };
      expect(authenticate(auth, request(headers(v1(OLD))), NOW_MS).ok).toBe(true);
    });
    it('refuses a key that was rotated out', () => {
      const auth: SourceAuth = { type: 'standard-webhooks', secrets: [NEW], toleranceSeconds: 300 };
      expect(authenticate(auth, request(headers(v1(OLD))), NOW_MS)).toEqual({ ok: false, reason: 'invalid signature' });
    });
    it('refuses a body changed after signing', () => {
      const auth: SourceAuth = { type: 'standard-webhooks', secrets: [NEW], toleranceSeconds: 300 };
      expect(authenticate(auth, request(headers(v1(NEW)), {}, Buffer.from('{"id":"bp-2"}')), NOW_MS).ok).toBe(false);
    });
    it.each([
      ['too old', String(Number(NOW_S) - 301)],
      ['in the future', String(Number(NOW_S) + 301)],
    ])('refuses a timestamp %s', (_name, timestamp) => {
      const auth: SourceAuth = { type: 'standard-webhooks', secrets: [NEW], toleranceSeconds: 300 };
      expect(authenticate(auth, request(headers(v1(NEW, timestamp), timestamp)), NOW_MS)).toEqual({ ok: false, reason: 'signature timestamp outside the tolerance' });
    });
    it('ignores entries of other versions', () => {
      const auth: SourceAuth = { type: 'standard-webhooks', secrets: [NEW], toleranceSeconds: 300 };
      const sig = standardWebhooksSignature(NEW, 'msg_1', NOW_S, BODY);
      expect(authenticate(auth, request(headers(`v1a,${sig}`)), NOW_MS)).toEqual({ ok: false, reason: 'invalid signature' });
    });
    it('refuses a request without the signature headers', () => {
      const auth: SourceAuth = { type: 'standard-webhooks', secrets: [NEW], toleranceSeconds: 300 };
      expect(authenticate(auth, request({ 'webhook-id': 'msg_1' }), NOW_MS)).toEqual({ ok: false, reason: 'missing credentials' });
    });
  });
});

describe('secretHeaderNames', () => {
  it('always hides credentials and signatures, and the configured auth header', () => {
    const names = secretHeaderNames({ type: 'header', name: 'webhookauth', value: 'x' });
    for (const name of ['authorization', 'cookie', 'x-authvia-signature', 'webhook-signature', 'webhookauth']) expect(names.has(name)).toBe(true);
    expect(names.has('content-type')).toBe(false);
  });

  it.each<SourceAuth>([
    { type: 'none' },
    { type: 'token', param: 'token', value: 't' },
    { type: 'header', name: 'X-Hook-Key', value: 'k' },
  ])('hides every header of the shared list for auth %j, plus its own header', (auth) => {
    const names = secretHeaderNames(auth);
    for (const name of SECRET_HEADER_NAMES) expect(names.has(name)).toBe(true);
    if (auth.type === 'header') expect(names.has('x-hook-key')).toBe(true);
  });

  it('the logger redacts every header of the same list', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) });
    const logger = pino({ redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, sink);
    logger.info({ headers: Object.fromEntries(SECRET_HEADER_NAMES.map((name) => [name, `secret-of-${name}`])) }, 'request');
    for (const name of SECRET_HEADER_NAMES) expect(lines.join('')).not.toContain(`secret-of-${name}`);
  });
});
