import type { ProviderName } from '@hookbus/contracts';
import type { ConsoleConfig } from './console-users';
import type { OctapushFields } from '@hookbus/providers/octapush/octapush-source';
import { SOURCE_PROFILES } from '@hookbus/providers/source-profiles';

/** How a source proves that a request comes from its provider (contract section 2). */
export type SourceAuth =
  | { readonly type: 'token'; readonly value: string; readonly param: string }
  | { readonly type: 'header'; readonly name: string; readonly value: string }
  | { readonly type: 'basic'; readonly username: string; readonly password: string }
  | { readonly type: 'authvia'; readonly secret: string; readonly toleranceSeconds: number }
  | { readonly type: 'standard-webhooks'; readonly secrets: readonly string[]; readonly toleranceSeconds: number }
  | { readonly type: 'none' };

export type SourceKind =
  | 'process'
  | 'process-actor'
  | 'status-update'
  | 'monitoring'
  | 'business-process'
  | 'business-process-action'
  | 'sms'
  | 'viber'
  | 'workflow';

/** From each provider's source profile (libs/providers/src/<provider>/<provider>-source.ts); a kind missing above does not compile. */
export const KINDS_BY_PROVIDER: Readonly<Record<ProviderName, readonly SourceKind[]>> = {
  credas: SOURCE_PROFILES.credas.kinds,
  authvia: SOURCE_PROFILES.authvia.kinds,
  octapush: SOURCE_PROFILES.octapush.kinds,
  cellosign: SOURCE_PROFILES.cellosign.kinds,
};

/** Declared with the Octapush options' parser in libs/providers/src/octapush/octapush-source.ts. */
export type { OctapushFields };

export interface RateLimit {
  readonly requestsPerSecond: number;
  readonly burst: number;
}

export interface SourceConfig {
  readonly id: string;
  readonly provider: ProviderName;
  readonly kind: SourceKind;
  readonly auth: SourceAuth;
  readonly methods: readonly ('GET' | 'POST')[];
  readonly maxBodyBytes: number;
  /** IANA zone for providers that send naive timestamps (Cellosign). */
  readonly timezone: string;
  readonly rateLimit: RateLimit;
  /** Octapush only. */
  readonly fields: OctapushFields;
  /** Octapush only: which tokens identify a message (default: the phone number). */
  readonly messageKey: readonly string[];
  /** Default region for phone numbers written without a country code (Octapush), ISO 3166 alpha-2. */
  readonly defaultPhoneRegion: string | null;
}

/** Gateway-wide limits (`gateway:` in the YAML). */
export interface GatewaySettings {
  /**
   * Body bytes all requests together may hold while being read and stored; past it a request is refused 503 with
   * Retry-After rather than buffered (a flood of large uploads must not exhaust memory).
   */
  readonly maxBodyBytesInFlight: number;
  /**
   * Addresses (IPs or CIDR subnets) of reverse proxies whose X-Forwarded-For is believed when telling clients
   * apart; empty: the socket's address is the client's.
   */
  readonly trustedProxies: readonly string[];
}

export interface HookbusConfig {
  /** Exactly the sources the config names: none without a config. */
  readonly sources: readonly SourceConfig[];
  /** Gateway spool for store-and-forward when Kafka is unreachable; null answers 503 instead. */
  readonly spool: { readonly directory: string; readonly maxBytes: number } | null;
  readonly gateway: GatewaySettings;
  /** The console's users and optional OpenID Connect login (`console:`); parsed always, absent: none. */
  readonly console?: ConsoleConfig;
  /** Set when loaded without the sources' credentials (SourceCredentials 'withheld'): fit for consumers, never the gateway. */
  readonly credentialsWithheld?: true;
}
