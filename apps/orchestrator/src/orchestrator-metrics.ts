import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export function orchestratorMetrics(registry: Registry) {
  return {
    retrievals: new Counter({ name: 'hookbus_credas_retrievals_total', help: 'Credas retrieval outcomes (published, already_retrieved, retried, dead_lettered)', labelNames: ['stage', 'outcome'], registers: [registry] }),
    retrievalSeconds: new Histogram({ name: 'hookbus_credas_retrieval_seconds', help: 'Time for details, active checks and the PDF of one process', labelNames: ['stage'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60], registers: [registry] }),
    authRejected: new Counter({ name: 'hookbus_credas_auth_rejected_total', help: 'Credas answers 403: the API key was refused (alert on any)', registers: [registry] }),
    authBlocked: new Gauge({ name: 'hookbus_credas_auth_blocked', help: '1 while every Credas call is paused after a 403', registers: [registry] }),
    deadLettered: new Counter({ name: 'hookbus_credas_dead_letters_total', help: 'Credas retrievals dead-lettered, by reason', labelNames: ['code'], registers: [registry] }),
  };
}
export type OrchestratorMetrics = ReturnType<typeof orchestratorMetrics>;
