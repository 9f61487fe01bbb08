import { ConfigError, wholeNumberSetting, type HookbusEnv } from '@hookbus/config';
import type { CredasApiClientOptions } from './credas-api-client';

type Env = Readonly<Record<string, string | undefined>>;

/** The longest a Credas call may be given: a bound on a typo (an extra zero or three), not a tuning advice. */
const TEN_MINUTES_MS = 10 * 60 * 1000;

/**
 * The orchestrator's Credas client settings, validated once at boot. The base URL and key come from the contract's
 * CREDAS_API_BASE_URL and CREDAS_API_KEY; the rest are the orchestrator's own tuning knobs (README).
 */
export function credasClientSettings(env: HookbusEnv, raw: Env = process.env): CredasApiClientOptions {
  const problems: string[] = [];
  if (!env.credasApiKey) problems.push('CREDAS_API_KEY: required by the orchestrator (Credas answers 403 without it)');
  const baseUrlProblem = credasBaseUrlProblem(env.credasApiBaseUrl);
  if (baseUrlProblem) problems.push(baseUrlProblem);
  const settings: CredasApiClientOptions = {
    baseUrl: env.credasApiBaseUrl,
    apiKey: env.credasApiKey ?? '',
    concurrency: wholeNumberSetting(raw, 'CREDAS_API_CONCURRENCY', 8, 1_000, problems),
    headersTimeoutMs: wholeNumberSetting(raw, 'CREDAS_API_TIMEOUT_MS', 15_000, TEN_MINUTES_MS, problems),
    bodyTimeoutMs: wholeNumberSetting(raw, 'CREDAS_API_BODY_TIMEOUT_MS', 60_000, TEN_MINUTES_MS, problems),
    connectTimeoutMs: wholeNumberSetting(raw, 'CREDAS_API_CONNECT_TIMEOUT_MS', 5_000, TEN_MINUTES_MS, problems),
    pdfExportBody: pdfExportOptions(raw, problems),
    maxBodyBytes: wholeNumberSetting(raw, 'CREDAS_API_MAX_BODY_BYTES', 12 * 1024 * 1024, 1024 * 1024 * 1024, problems),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return settings;
}

/** Hosts the orchestrator may call over plain http: this machine only (npm start's fake Credas API listens there). */
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * CREDAS_API_BASE_URL must be https: every call carries CREDAS_API_KEY in a header, which plain http would send in
 * clear to anyone on the path. Loopback hosts are the exception (the fake Credas API that npm start runs); the key
 * never leaves the machine there. Null when the URL is acceptable. libs/config has already checked it parses.
 */
export function credasBaseUrlProblem(baseUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return 'CREDAS_API_BASE_URL: not a valid URL';
  }
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return null;
  return `CREDAS_API_BASE_URL: expected an https URL (CREDAS_API_KEY travels with every call), got ${url.protocol}//${url.hostname}; http is accepted only for localhost, 127.0.0.1 and ::1`;
}

/**
 * CREDAS_PDF_EXPORT_OPTIONS: a JSON object of booleans sent to pdf-export (unverified,
 * docs/providers/credas.md#pdf-export); unset sends no body.
 */
function pdfExportOptions(env: Env, problems: string[]): Record<string, boolean> | null {
  const value = env.CREDAS_PDF_EXPORT_OPTIONS;
  if (!value) return null;
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && Object.values(parsed).every((v) => typeof v === 'boolean')) {
      return parsed as Record<string, boolean>;
    }
  } catch {
    // reported below
  }
  problems.push('CREDAS_PDF_EXPORT_OPTIONS: expected a JSON object of booleans, e.g. {"includeCoverPage":true}');
  return null;
}
