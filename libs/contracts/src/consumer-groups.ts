/** Consumer group ids of the stages: `npm run lag`, dashboards and alerts use these names. */
export const ConsumerGroups = {
  normalizer: 'hookbus-normalizer',
  tracker: 'hookbus-tracker',
  orchestrator: 'hookbus-orchestrator',
  projector: 'hookbus-projector',
} as const;
