import fc from 'fast-check';
import { sourceTemplates } from '@hookbus/config';
import { agreementOnEvery, expectAgreement, mutated, singleEdits } from '../support/testing/fast-payload-agreement';
import { loadFixture, receivedWebhook } from './fixtures/webhook-fixture';
import { readOctapushCallback } from './octapush-tokens';
import { fastOctapushCallback, validateOctapushCallback, validateOctapushCallbackWithClassValidator } from './octapush.payloads';

/*
 * The Octapush callback's fast validator agrees with class-validator (support/fast-payload.ts): on the DTO input of
 * every fixture request, and on mutations of them.
 */
const FIXTURES = ['blacklisted-get.json', 'submitted-post.json', 'viber-delivered-seen-clicked.json', 'viber-fallback-sms.json'];
const FIELDS = ['status', 'statusSource', 'messageKey', 'phone'];

/** The parts readOctapushCallback hands to the DTO (the DTO changes none of them). */
function dtoInputs(): Array<[string, Record<string, unknown>]> {
  return FIXTURES.flatMap((name) =>
    loadFixture(name).requests.map((request, i): [string, Record<string, unknown>] => {
      const source = sourceTemplates().find((s) => s.id === request.sourceId)!;
      const { status, statusSource, messageKey, phone } = readOctapushCallback(receivedWebhook(request, 'octapush', source.kind), source);
      return [`${name} #${i}`, { status, statusSource, messageKey, phone }];
    }),
  );
}

const INPUTS: Array<[string, Record<string, unknown>]> = [
  ...dtoInputs(),
  // The load bench's body (bench/load/octapush-body.ts) as the DTO sees it.
  ['bench load body', { status: 'Delivered', statusSource: 'token', messageKey: '+306900000001', phone: '+306900000001' }],
  ['no phone', { status: 'Submitted', statusSource: 'path', messageKey: 'B-1', phone: null }],
];

describe('Octapush callback fast validator', () => {
  it.each(INPUTS)('%s: is certain, and builds what class-validator builds', (_name, input) => {
    const certain = expectAgreement(fastOctapushCallback(input), () => validateOctapushCallback(input), () => validateOctapushCallbackWithClassValidator(input));
    expect(certain).toBe(true);
  });

  it.each(INPUTS)('%s, every single edit: the same value or the same refusal as class-validator', (_name, input) => {
    const certain = agreementOnEvery(singleEdits(input, FIELDS), (parts) =>
      expectAgreement(fastOctapushCallback(parts), () => validateOctapushCallback(parts as Record<string, unknown>), () => validateOctapushCallbackWithClassValidator(parts as Record<string, unknown>)),
    );
    expect(certain).toBeGreaterThan(0);
  });

  it.each(INPUTS)('%s, mutated: the same value or the same refusal as class-validator', (_name, input) => {
    fc.assert(
      fc.property(mutated(input, FIELDS), (plain) => {
        const parts = plain as Record<string, unknown>;
        expectAgreement(fastOctapushCallback(parts), () => validateOctapushCallback(parts), () => validateOctapushCallbackWithClassValidator(parts));
      }),
      { numRuns: 300 },
    );
  });
});
