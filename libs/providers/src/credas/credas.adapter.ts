import { CREDAS_SOURCE } from './credas-source';
import { InvalidRecordError } from '@hookbus/contracts';
import type { SourceConfig, SourceKind } from '@hookbus/config';
import type { NormalizedEvent, ProviderAdapter } from '../provider-adapter';
import type { DecodedWebhook, ReceivedWebhook } from '../webhook';
import { credasActorRoutingKey, normalizeCredasActor } from './credas-actor.normalizer';
import { credasCheckRoutingKey, normalizeCredasCheck } from './credas-check.normalizer';
import { credasProcessRoutingKey, normalizeCredasProcess } from './credas-process.normalizer';

const KINDS = CREDAS_SOURCE.kinds satisfies readonly SourceKind[];
type CredasKind = (typeof KINDS)[number];

function credasKind(kind: SourceKind): CredasKind {
  if ((KINDS as readonly SourceKind[]).includes(kind)) return kind as CredasKind;
  throw new InvalidRecordError('providers.unsupported_kind', `credas has no webhook kind ${JSON.stringify(kind)}`);
}

/**
 * Credas' four webhook kinds (docs/providers/credas.md#webhook-kinds): the source's kind decides which body shape to
 * expect.
 */
export const credasAdapter: ProviderAdapter = {
  provider: 'credas',
  kinds: KINDS,
  statusInPath: false,

  routingKey(webhook: DecodedWebhook, source: SourceConfig): string {
    const kind = credasKind(source.kind);
    switch (kind) {
      case 'process':
        return credasProcessRoutingKey(webhook);
      case 'process-actor':
        return credasActorRoutingKey(webhook);
      case 'status-update':
      case 'monitoring':
        return credasCheckRoutingKey(webhook, kind);
    }
  },

  normalize(webhook: ReceivedWebhook, source: SourceConfig): NormalizedEvent[] {
    const kind = credasKind(source.kind);
    switch (kind) {
      case 'process':
        return normalizeCredasProcess(webhook);
      case 'process-actor':
        return normalizeCredasActor(webhook);
      case 'status-update':
      case 'monitoring':
        return normalizeCredasCheck(webhook, kind);
    }
  },
};
