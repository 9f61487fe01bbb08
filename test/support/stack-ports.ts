import type { ChildProcess } from 'node:child_process';
import { waitFor } from './wait-for';

export interface StackPorts {
  readonly GATEWAY_PORT: number;
  readonly NORMALIZER_PORT: number;
  readonly TRACKER_PORT: number;
  readonly ORCHESTRATOR_PORT: number;
  readonly PROJECTOR_PORT: number;
  readonly MONITOR_PORT: number;
  readonly FAKE_CREDAS_PORT: number;
  readonly CONSOLE_PORT: number;
}

/** The ports of a test's own `npm start` stack, from one base (eight in a row), so it runs beside any other. */
export function stackPorts(base: number): StackPorts {
  return {
    GATEWAY_PORT: base,
    NORMALIZER_PORT: base + 1,
    TRACKER_PORT: base + 2,
    ORCHESTRATOR_PORT: base + 3,
    PROJECTOR_PORT: base + 4,
    MONITOR_PORT: base + 5,
    FAKE_CREDAS_PORT: base + 6,
    CONSOLE_PORT: base + 7,
  };
}

/** The same ports as the environment settings npm start reads. */
export function stackPortSettings(ports: StackPorts): Record<string, string> {
  return Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)]));
}

/**
 * Waits until every service of `ports` but the monitor, the console and the fake Credas API answers ready (those an
 * `--only gateway,normalizer,tracker,orchestrator,projector` stack runs); fails at once, with what it printed, if npm
 * start exits first.
 */
export async function waitForStackReady(stack: ChildProcess, ports: StackPorts, output: () => string, timeoutMs: number): Promise<void> {
  for (const [name, port] of Object.entries(ports).filter(([name]) => name !== 'FAKE_CREDAS_PORT' && name !== 'MONITOR_PORT' && name !== 'CONSOLE_PORT')) {
    await waitFor(
      async () => {
        if (stack.exitCode !== null) throw new Error(`npm start exited (${stack.exitCode}):\n${output()}`);
        const response = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(2_000) }).catch(() => null);
        return response?.ok === true;
      },
      { timeoutMs, intervalMs: 250, what: `${name} ready on ${port}` },
    );
  }
}
