// A circuit breaker for one LLM provider on one worker: after `failures` provider failures in a
// row it opens and no call goes out for a cool-down (doubling after each failed probe, up to a
// cap); then one call goes through as a probe (half-open): its success closes the breaker, its
// failure opens it again. Pure and clock-driven (times are passed in), so it is tested without a
// server; the worker shares one per provider between all its activities.

export interface BreakerSettings {
  /** Provider failures in a row that open the breaker (default 5). */
  failures: number;
  /** First cool-down (default 30 s); each failed probe doubles it, up to maxCooldownMs. */
  cooldownMs: number;
  maxCooldownMs: number;
}

export const DEFAULT_BREAKER: BreakerSettings = { failures: 5, cooldownMs: 30_000, maxCooldownMs: 5 * 60_000 };

export type BreakerState = 'closed' | 'open' | 'half-open';

/** May a call go out now? If not, when to ask again. `probe`: this call decides the half-open state. */
export type BreakerGate = { go: true; probe: boolean } | { go: false; until: number; state: 'open' | 'half-open' };

/** While a probe is out, other callers ask again this often. */
const PROBE_POLL_MS = 250;

export class CircuitBreaker {
  private state: BreakerState = 'closed';
  private inARow = 0;
  private openUntil = 0;
  private cooldown: number;
  private probeOut = false;

  constructor(
    readonly provider: string,
    private readonly settings: BreakerSettings = DEFAULT_BREAKER,
    /** Told of every change of state, for the worker's log. */
    private readonly onChange: (provider: string, state: BreakerState, detail: string) => void = () => {},
  ) {
    this.cooldown = settings.cooldownMs;
  }

  current(): { state: BreakerState; openUntil?: number } {
    return this.state === 'closed' ? { state: 'closed' } : { state: this.state, openUntil: this.openUntil };
  }

  request(now: number): BreakerGate {
    if (this.state === 'closed') return { go: true, probe: false };
    if (this.state === 'open') {
      if (now < this.openUntil) return { go: false, until: this.openUntil, state: 'open' };
      this.move('half-open', 'letting one call through');
    }
    if (this.probeOut) return { go: false, until: now + PROBE_POLL_MS, state: 'half-open' };
    this.probeOut = true;
    return { go: true, probe: true };
  }

  /** The provider answered (with a result or with an error of the request's own): it is up. */
  succeeded(probe: boolean): void {
    this.inARow = 0;
    if (probe) this.probeOut = false;
    if (this.state !== 'closed' && (probe || this.state === 'half-open')) {
      this.cooldown = this.settings.cooldownMs;
      this.move('closed', 'the provider answered');
    }
  }

  /** The provider was in trouble (429, 529, 5xx, unreachable, no first byte in time). */
  failed(probe: boolean, now: number): void {
    if (probe) {
      this.probeOut = false;
      this.cooldown = Math.min(this.cooldown * 2, this.settings.maxCooldownMs);
      this.open(now, 'the probe failed');
      return;
    }
    if (this.state !== 'closed') return;
    this.inARow++;
    if (this.inARow >= this.settings.failures) this.open(now, `${this.inARow} provider failures in a row`);
  }

  /** A probe that ended without an answer either way (cancelled): the next caller probes. */
  abandoned(probe: boolean): void {
    if (probe) this.probeOut = false;
  }

  private open(now: number, why: string): void {
    this.openUntil = now + this.cooldown;
    this.move('open', `${why}; no calls for ${Math.round(this.cooldown / 100) / 10} s`);
  }

  private move(state: BreakerState, detail: string): void {
    this.state = state;
    if (state === 'closed') this.inARow = 0;
    this.onChange(this.provider, state, detail);
  }
}
