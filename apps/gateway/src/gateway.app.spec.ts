import { ConfigError, loadEnv, parseHookbusConfig } from '@hookbus/config';
import { serviceContext } from '@hookbus/platform';
import { SPOOL_STOP_MS, STOP_RESERVE_MS, startGateway, stopBudget } from './gateway.app';

describe('startGateway', () => {
  it('refuses a config loaded without the sources\' credentials before it opens anything', async () => {
    const yaml = 'sources:\n  - id: cellosign\n    auth: { type: token, value: "${CELLOSIGN_WEBHOOK_TOKEN}" }\n';
    const context = serviceContext('gateway', { env: loadEnv({ LOG_LEVEL: 'error' }, () => false), config: parseHookbusConfig(yaml, {}, 'withheld') });
    const started = startGateway(context, { port: 0 });
    await expect(started).rejects.toThrow(ConfigError);
    await expect(started).rejects.toThrow(/the gateway needs the sources' credentials/);
  });
});

describe('stopBudget', () => {
  it('gives the spool drain what the stop bound leaves after the HTTP close, less the drainer stop and the reserve; the producer the rest', () => {
    let now = 1_000;
    const budget = stopBudget(1_000, 10_000, () => now);
    expect(budget.spoolDrainMs()).toBe(10_000 - SPOOL_STOP_MS - STOP_RESERVE_MS);
    now += 2_000; // the HTTP server's close took 2 s
    expect(budget.spoolDrainMs()).toBe(8_000 - SPOOL_STOP_MS - STOP_RESERVE_MS);
    now += 6_000;
    expect(budget.spoolDrainMs()).toBe(0);
    expect(budget.producerFlushMs()).toBe(1_000);
    now += 5_000;
    expect(budget.producerFlushMs()).toBe(500);
  });
});
