import { randomBytes } from 'node:crypto';
import type { SourceAuth } from '@hookbus/config';
import { authviaSignature, standardWebhooksSignature } from '../apps/gateway/src/auth/source-authenticator';

/** What a sender adds to a request so the gateway accepts it: headers, and query parameters for `token`. */
export interface Credentials {
  readonly headers: Record<string, string>;
  readonly query: Record<string, string>;
}

/**
 * Signs or authenticates one outgoing request the way the source's provider would (contract §2), for the demo and
 * other local senders. Signatures use a fresh random value or id per call: the gateway refuses a replayed one.
 */
export function credentialsFor(auth: SourceAuth, body: Buffer, nowMs = Date.now()): Credentials {
  const timestamp = String(Math.floor(nowMs / 1000));
  switch (auth.type) {
    case 'none':
      return { headers: {}, query: {} };
    case 'token':
      return { headers: {}, query: { [auth.param]: auth.value } };
    case 'header':
      return { headers: { [auth.name]: auth.value }, query: {} };
    case 'basic':
      return { headers: { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` }, query: {} };
    case 'authvia': {
      const value = randomBytes(16).toString('hex');
      return {
        headers: { 'x-authvia-value': value, 'x-authvia-timestamp': timestamp, 'x-authvia-signature': authviaSignature(auth.secret, value, timestamp), 'x-authvia-algorithm': 'SHA-256' },
        query: {},
      };
    }
    case 'standard-webhooks': {
      const id = `msg_${randomBytes(12).toString('hex')}`;
      const signature = standardWebhooksSignature(auth.secrets[0]!, id, timestamp, body);
      return { headers: { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` }, query: {} };
    }
  }
}

/** `path` with the credentials' query parameters appended to whatever query it already has. */
export function withQuery(path: string, query: Readonly<Record<string, string>>): string {
  const extra = new URLSearchParams(query).toString();
  if (extra === '') return path;
  return `${path}${path.includes('?') ? '&' : '?'}${extra}`;
}
