import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

export interface TestCertificates {
  /** The test CA's certificate (PEM): what a client is told to trust (KAFKA_SSL_CA_FILE). */
  readonly caFile: string;
  /** PKCS12 keystore with the broker's key and its certificate chain (the CA's signature, SAN 127.0.0.1 and localhost). */
  readonly keystoreFile: string;
  readonly keystorePassword: string;
}

/**
 * A CA and a broker certificate it signed, made with the JDK's keytool in `dir` (valid two days): the broker's TLS is
 * verified by clients as a managed Kafka's is, against a CA they are given, never with verification turned off.
 */
export function makeTestCertificates(dir: string): TestCertificates {
  const password = randomBytes(12).toString('hex');
  const ca = join(dir, 'ca.p12');
  const caFile = join(dir, 'ca.pem');
  const keystoreFile = join(dir, 'broker.p12');
  const csr = join(dir, 'broker.csr');
  const signed = join(dir, 'broker.pem');
  const keytool = (...args: string[]) => execFileSync('keytool', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const store = (file: string) => ['-keystore', file, '-storetype', 'PKCS12', '-storepass', password];
  keytool('-genkeypair', '-alias', 'ca', '-dname', 'CN=hookbus-test-ca', '-ext', 'bc:c', '-keyalg', 'RSA', '-keysize', '2048', '-validity', '2', ...store(ca));
  keytool('-exportcert', '-alias', 'ca', '-rfc', '-file', caFile, ...store(ca));
  keytool('-genkeypair', '-alias', 'broker', '-dname', 'CN=127.0.0.1', '-keyalg', 'RSA', '-keysize', '2048', '-validity', '2', ...store(keystoreFile));
  keytool('-certreq', '-alias', 'broker', '-file', csr, ...store(keystoreFile));
  keytool('-gencert', '-alias', 'ca', '-infile', csr, '-outfile', signed, '-rfc', '-validity', '2', '-ext', 'SAN=ip:127.0.0.1,dns:localhost', '-ext', 'EKU=serverAuth', ...store(ca));
  keytool('-importcert', '-noprompt', '-alias', 'ca', '-file', caFile, ...store(keystoreFile));
  keytool('-importcert', '-noprompt', '-alias', 'broker', '-file', signed, ...store(keystoreFile));
  return { caFile, keystoreFile, keystorePassword: password };
}
