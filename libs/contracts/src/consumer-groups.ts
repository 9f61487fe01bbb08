import { STAGES, type ConsumingStageName } from './stages';

/** Consumer group ids of the stages (from STAGES in stages.ts): `npm run lag`, dashboards and alerts use these names. */
export const ConsumerGroups: { readonly [K in ConsumingStageName]: (typeof STAGES)[K]['group'] } = {
  normalizer: STAGES.normalizer.group,
  tracker: STAGES.tracker.group,
  orchestrator: STAGES.orchestrator.group,
  projector: STAGES.projector.group,
};
