import { CredasAuthGate } from './credas-auth-gate';

describe('CredasAuthGate', () => {
  const policy = { initialMs: 1000, maxMs: 8000, factor: 2 };
  const noHeartbeat = async () => undefined;

  function gateAt(time: { now: number }) {
    const events: string[] = [];
    const gate = new CredasAuthGate(policy, { rejected: (level) => events.push(`rejected ${level}`), recovered: () => events.push('recovered') }, () => time.now);
    return { gate, events };
  }

  it('lets calls through while the key works', async () => {
    const { gate } = gateAt({ now: 0 });
    await expect(gate.pass(new AbortController().signal, noHeartbeat)).resolves.toBeUndefined();
    expect(gate.blocked).toBe(false);
  });

  it('escalates once per pause, not once per call in flight, and recovers on the first accepted answer', () => {
    const time = { now: 0 };
    const { gate, events } = gateAt(time);
    gate.rejected();
    gate.rejected();
    expect(events).toEqual(['rejected 1']);
    time.now = 10_000;
    gate.rejected();
    expect(events).toEqual(['rejected 1', 'rejected 2']);
    gate.accepted();
    expect(events).toEqual(['rejected 1', 'rejected 2', 'recovered']);
    expect(gate.blocked).toBe(false);
  });

  it('stops waiting when the service stops', async () => {
    const time = { now: 0 };
    const { gate } = gateAt(time);
    gate.rejected();
    const stop = new AbortController();
    const waiting = gate.pass(stop.signal, noHeartbeat);
    stop.abort(new Error('stopping'));
    await expect(waiting).rejects.toThrow('stopping');
  });
});
