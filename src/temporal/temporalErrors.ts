// Temporal cannot be reached, or its connection settings cannot be used.
export class TemporalUnreachableError extends Error {
  constructor(readonly address: string, cause: string) {
    super(`cannot reach Temporal at ${address}: ${cause}. Start one with \`npx dagent dev\` or set TEMPORAL_ADDRESS (or a profile).`);
    this.name = 'TemporalUnreachableError';
  }
}

/** A connection profile that cannot be used as written (an unknown profile, a bad TOML file). */
export class TemporalConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemporalConfigError';
  }
}
