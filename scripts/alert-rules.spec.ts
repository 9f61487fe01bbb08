import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/**
 * The alert rules are tested like code: promtool (Debian package `prometheus`; .ci/run installs it) replays the series
 * of docker/prometheus/alerts.test.yml through docker/prometheus/alerts.yml. Without promtool this fails: a skipped
 * rule test would let a broken alert reach production unnoticed.
 */
const ROOT = join(__dirname, '..');
const PROMETHEUS = join(ROOT, 'docker', 'prometheus');

interface RuleTests {
  rule_files: string[];
  tests: Array<{ name: string; alert_rule_test?: Array<{ eval_time: string; alertname: string; exp_alerts: unknown[] }> }>;
}

const rules = parse(readFileSync(join(PROMETHEUS, 'alerts.yml'), 'utf8')) as { groups: Array<{ rules: Array<{ alert?: string }> }> };
const ruleTests = parse(readFileSync(join(PROMETHEUS, 'alerts.test.yml'), 'utf8')) as RuleTests;
const alertNames = rules.groups.flatMap((g) => g.rules).flatMap((r) => (r.alert ? [r.alert] : []));

function promtool(args: string[]): { status: number | null; output: string } {
  const result = spawnSync('promtool', args, { cwd: PROMETHEUS, encoding: 'utf8', timeout: 60_000 });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error('promtool is not installed, so the alert rules cannot be tested. Install it: apt-get install prometheus (Debian/Ubuntu; .ci/run does this), or put promtool from a Prometheus release on PATH.');
  }
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('Prometheus alert rules', () => {
  it('pass promtool test rules (docker/prometheus/alerts.test.yml)', () => {
    const { status, output } = promtool(['test', 'rules', 'alerts.test.yml']);
    expect(output).toContain('SUCCESS');
    expect(status).toBe(0);
  });

  it('are tested against alerts.yml itself', () => {
    expect(ruleTests.rule_files).toEqual(['alerts.yml']);
  });

  it('fire nothing on an idle healthy stack: the idle test names every alert, at the end of its hour', () => {
    const idle = ruleTests.tests.find((t) => t.name === 'an idle healthy stack for an hour')!;
    const quietAtTheHour = new Set(idle.alert_rule_test!.filter((t) => t.eval_time === '60m' && t.exp_alerts.length === 0).map((t) => t.alertname));
    expect(alertNames.length).toBeGreaterThan(15);
    expect(alertNames.filter((name) => !quietAtTheHour.has(name))).toEqual([]);
  });

  it('have a scenario where each of stalled, stopped, lag growing, retention risk, monitor gone, spool filling and Authvia failures fires', () => {
    const firing = new Set(ruleTests.tests.flatMap((t) => (t.alert_rule_test ?? []).filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname)));
    for (const alert of ['HookbusConsumerStalled', 'HookbusConsumerStopped', 'HookbusConsumerLagGrowing', 'HookbusConsumerRetentionRisk', 'HookbusConsumerRecordsLost', 'HookbusLagMonitorAbsent', 'HookbusGatewaySpoolNearlyFull', 'HookbusGatewaySpoolOldRecord', 'HookbusAuthviaFailedDeliveries']) {
      expect(firing).toContain(alert);
    }
  });
});
