// The circuit breaker alone, on a clock the test moves: no server.
import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../src/llm/circuitBreaker';

const settings = { failures: 3, cooldownMs: 1000, maxCooldownMs: 4000 };

function breaker() {
  const changes: string[] = [];
  const b = new CircuitBreaker('anthropic', settings, (_p, state, detail) => changes.push(`${state}: ${detail}`));
  return { b, changes };
}

describe('circuit breaker', () => {
  it('opens after N provider failures in a row, not before, and a success in between resets the count', () => {
    const { b } = breaker();
    b.failed(false, 0);
    b.failed(false, 0);
    b.succeeded(false);
    b.failed(false, 0);
    b.failed(false, 0);
    expect(b.request(0)).toEqual({ go: true, probe: false });
    b.failed(false, 10);
    expect(b.request(10)).toEqual({ go: false, until: 1010, state: 'open' });
    expect(b.current()).toEqual({ state: 'open', openUntil: 1010 });
  });

  it('after the cool-down lets exactly one probe through; its success closes the breaker', () => {
    const { b, changes } = breaker();
    for (let i = 0; i < 3; i++) b.failed(false, 0);
    expect(b.request(999).go).toBe(false);
    expect(b.request(1000)).toEqual({ go: true, probe: true });
    // Others wait while the probe is out.
    expect(b.request(1001)).toMatchObject({ go: false, state: 'half-open' });
    b.succeeded(true);
    expect(b.request(1002)).toEqual({ go: true, probe: false });
    expect(changes).toEqual(['open: 3 provider failures in a row; no calls for 1 s', 'half-open: letting one call through', 'closed: the provider answered']);
  });

  it('a failed probe opens it again for twice as long, up to the cap; closing resets the cool-down', () => {
    const { b } = breaker();
    for (let i = 0; i < 3; i++) b.failed(false, 0);
    let now = 1000;
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      expect(b.request(now)).toEqual({ go: true, probe: true });
      b.failed(true, now);
      const gate = b.request(now);
      if (gate.go) throw new Error('should be open');
      waits.push(gate.until - now);
      now = gate.until;
    }
    expect(waits).toEqual([2000, 4000, 4000, 4000]);
    expect(b.request(now)).toEqual({ go: true, probe: true });
    b.succeeded(true);
    for (let i = 0; i < 3; i++) b.failed(false, now);
    expect(b.request(now)).toEqual({ go: false, until: now + 1000, state: 'open' });
  });

  it('failures of calls sent before it opened do not extend the open time; a cancelled probe frees the slot', () => {
    const { b } = breaker();
    for (let i = 0; i < 3; i++) b.failed(false, 0);
    b.failed(false, 500);
    expect(b.request(600)).toEqual({ go: false, until: 1000, state: 'open' });
    expect(b.request(1000)).toEqual({ go: true, probe: true });
    b.abandoned(true);
    expect(b.request(1001)).toEqual({ go: true, probe: true });
  });
});
