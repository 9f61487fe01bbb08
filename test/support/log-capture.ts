import { Writable } from 'node:stream';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import pino, { type Logger } from 'pino';
import { REDACTED_PATHS, findPersonalData, type PersonalDataFinding, type ServiceContext } from '@hookbus/platform';
import { testServiceContext } from './service-context';

/**
 * Every log line a service wrote, as text, so a test can assert what is not in it: `expectNoPersonalData(capture)`
 * after the scenario, or a search for a secret in `capture.text()`.
 */
export class LogCapture {
  readonly lines: string[] = [];
  readonly stream = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });

  text(): string {
    return this.lines.join('\n');
  }

  /** A logger like the services' (libs/platform/src/logger.ts: JSON, the production redaction paths) writing here. */
  logger(service: string, level = 'debug'): Logger {
    return pino({ level, base: { service }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, formatters: { level: (label) => ({ level: label }) } }, this.stream);
  }
}

/**
 * A service context like testServiceContext, but its logger writes (at debug, with the production redaction
 * paths) into `capture`, so a test can read what the service logged.
 */
export function capturedContext(name: string, capture: LogCapture, yaml: string | null, env: Record<string, string> = {}): ServiceContext {
  const context = testServiceContext(name, { yaml: yaml ?? undefined, env: { LOG_LEVEL: 'debug', ...env } });
  return { ...context, logger: capture.logger(name) };
}

export interface PersonalDataCheck {
  /**
   * The test's own phone numbers and email addresses: none may appear in any line, in any spelling (an email in any
   * case; a phone's national number with or without separators, which the finder alone need not recognise).
   */
  readonly testData?: readonly string[];
  /**
   * The URLs the services under test listen on (`RunningService.url`): their address is not personal data, and is
   * taken out of each line before the finder reads it. A random port next to the address in a "listening" line
   * ("33237 (127.0.0.1") can otherwise read as a phone number.
   */
  readonly ownUrls?: readonly string[];
}

/**
 * Fails, quoting each offending line, if any captured log line holds a phone number or an email address
 * (libs/platform/src/personal-data.ts says what counts), or any of the test's own (`check.testData`).
 * Logs must carry neither (BRIEF: personal data).
 */
export function expectNoPersonalData(logs: LogCapture | readonly string[], check: PersonalDataCheck = {}): void {
  const lines = logs instanceof LogCapture ? logs.lines : logs;
  const addresses = (check.ownUrls ?? []).map((url) => new URL(url).host).filter(Boolean);
  const readable = lines.map((line) => addresses.reduce((text, address) => text.split(address).join('<own-address>'), line));
  const problems = findPersonalData(readable).map((f) => describe(f, lines[f.line]!));
  for (const datum of check.testData ?? []) {
    const found = lines.find((line) => containsDatum(line, datum));
    if (found !== undefined) problems.push(`  test data ${JSON.stringify(datum)} in: ${clip(found)}`);
  }
  if (problems.length === 0) return;
  throw new Error(`personal data in ${problems.length} log line(s):\n${problems.join('\n')}`);
}

function containsDatum(line: string, datum: string): boolean {
  if (datum.includes('@')) return line.toLowerCase().includes(datum.toLowerCase());
  const digits = datum.replace(/\D/g, '');
  const national = datum.startsWith('+') ? (parsePhoneNumberFromString(`+${digits}`)?.nationalNumber ?? digits) : digits;
  const lineDigits = line.replace(/(?<=\d)[ ().-]{1,2}(?=\d)/g, '');
  return lineDigits.includes(national);
}

const clip = (line: string): string => (line.length > 400 ? `${line.slice(0, 400)}…` : line);

function describe(finding: PersonalDataFinding, line: string): string {
  return `  ${finding.kind} ${JSON.stringify(finding.match)} in: ${clip(line)}`;
}
