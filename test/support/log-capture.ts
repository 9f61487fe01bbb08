import { Writable } from 'node:stream';
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

/**
 * Fails, quoting each offending line, if any captured log line holds a phone number or an email address
 * (libs/platform/src/personal-data.ts says what counts). Logs must carry neither (BRIEF: personal data).
 */
export function expectNoPersonalData(logs: LogCapture | readonly string[]): void {
  const lines = logs instanceof LogCapture ? logs.lines : logs;
  const findings = findPersonalData(lines);
  if (findings.length === 0) return;
  throw new Error(`personal data in ${findings.length} log line(s):\n${findings.map((f) => describe(f, lines[f.line]!)).join('\n')}`);
}

function describe(finding: PersonalDataFinding, line: string): string {
  return `  ${finding.kind} ${JSON.stringify(finding.match)} in: ${line.length > 400 ? `${line.slice(0, 400)}…` : line}`;
}
