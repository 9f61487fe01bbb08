import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafkaSecurityConfig } from './kafka-client';

describe("kafkaSecurityConfig: the settings' TLS and SASL as kafkajs takes them", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hookbus-kafka-security-'));
    writeFileSync(join(dir, 'ca.pem'), 'CA PEM');
    writeFileSync(join(dir, 'client.pem'), 'CERT PEM');
    writeFileSync(join(dir, 'client.key'), 'KEY PEM');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('PLAINTEXT (or nothing said) sets neither', () => {
    expect(kafkaSecurityConfig(undefined)).toEqual({});
    expect(kafkaSecurityConfig({ protocol: 'PLAINTEXT', tls: null, sasl: null })).toEqual({});
  });

  it('SSL verifies the broker against the CA file and presents the client certificate read from its files', () => {
    const tls = { caFile: join(dir, 'ca.pem'), certFile: join(dir, 'client.pem'), keyFile: join(dir, 'client.key') };
    expect(kafkaSecurityConfig({ protocol: 'SSL', tls, sasl: null })).toEqual({ ssl: { rejectUnauthorized: true, ca: ['CA PEM'], cert: 'CERT PEM', key: 'KEY PEM' } });
  });

  it("SSL without a CA file verifies against Node's trusted roots (never rejectUnauthorized: false)", () => {
    expect(kafkaSecurityConfig({ protocol: 'SSL', tls: { caFile: null, certFile: null, keyFile: null }, sasl: null })).toEqual({ ssl: { rejectUnauthorized: true } });
  });

  it.each(['plain', 'scram-sha-256', 'scram-sha-512'] as const)('SASL_SSL with %s', (mechanism) => {
    expect(kafkaSecurityConfig({ protocol: 'SASL_SSL', tls: { caFile: null, certFile: null, keyFile: null }, sasl: { mechanism, username: 'u', password: 'p' } })).toEqual({
      ssl: { rejectUnauthorized: true },
      sasl: { mechanism, username: 'u', password: 'p' },
    });
  });

  it('SASL_PLAINTEXT: SASL without TLS', () => {
    expect(kafkaSecurityConfig({ protocol: 'SASL_PLAINTEXT', tls: null, sasl: { mechanism: 'plain', username: 'u', password: 'p' } })).toEqual({ sasl: { mechanism: 'plain', username: 'u', password: 'p' } });
  });
});
