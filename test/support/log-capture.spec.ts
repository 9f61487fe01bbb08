import { expectNoPersonalData } from './log-capture';

/**
 * The log check itself. A service's "listening" line names its (random) port next to its address:
 * "33237 (127.0.0.1" once read as a phone number (console.app.spec.ts flaked). The service's own addresses are
 * taken out before the production finder (libs/platform/src/personal-data.ts) reads a line; the test's own phone
 * numbers and emails are looked for in every line as they are, whatever the finder would say.
 */
const listening = (port: number): string =>
  `{"level":"info","service":"console","url":"http://127.0.0.1:${port}","host":"127.0.0.1","msg":"console listening on http://127.0.0.1:${port} (127.0.0.1:${port} only; health: http://127.0.0.1:${port}/health/ready, metrics: http://127.0.0.1:${port}/metrics)"}`;

describe('expectNoPersonalData', () => {
  it('reads a random port next to the address as a phone number when not told the address (the flake)', () => {
    expect(() => expectNoPersonalData([listening(33237)])).toThrow(/phone/);
  });

  it("does not read the service's own address as personal data", () => {
    expect(() => expectNoPersonalData([listening(33237)], { ownUrls: ['http://127.0.0.1:33237'] })).not.toThrow();
  });

  it('still finds a phone number or an email anywhere else in the line, the address taken out', () => {
    expect(() => expectNoPersonalData([`${listening(33237)} +306912345678`], { ownUrls: ['http://127.0.0.1:33237'] })).toThrow(/phone "\+306912345678"/);
    expect(() => expectNoPersonalData([`sent to ana@example.org by http://127.0.0.1:33237`], { ownUrls: ['http://127.0.0.1:33237'] })).toThrow(/email "ana@example.org"/);
  });

  it("finds the test's own phone numbers and emails in any spelling the finder would miss", () => {
    // 6912345678: a Greek mobile without its country code, not a phone number to the finder.
    expect(() => expectNoPersonalData(['{"msg":"user 6912345678"}'])).not.toThrow();
    expect(() => expectNoPersonalData(['{"msg":"user 6912345678"}'], { testData: ['+30 691 234 5678'] })).toThrow(/test data/);
    expect(() => expectNoPersonalData(['{"msg":"user ANA@Example.org"}'], { testData: ['ana@example.org'] })).toThrow(/test data/);
    expect(() => expectNoPersonalData(['{"msg":"user a•••@•••.org +30••••••78"}'], { testData: ['ana@example.org', '+306912345678'] })).not.toThrow();
  });
});
