// Finds the `temporal` CLI, or builds it once with Go into our cache (see provision/goBinary.ts).
import { goBinaryCacheDir, installHint, provisionGoBinary, type GoBinary, type ProvisionOptions } from '../provision/goBinary';

export const TEMPORAL_CLI_VERSION = 'v1.5.1';

export class TemporalCliMissingError extends Error {
  constructor(reason: string) {
    super(`the Temporal CLI (temporal) was not found: ${reason}.\n${installHint(TEMPORAL_CLI)}`);
    this.name = 'TemporalCliMissingError';
  }
}

const TEMPORAL_CLI: GoBinary = {
  name: 'temporal',
  title: 'the Temporal CLI',
  version: TEMPORAL_CLI_VERSION,
  // Later tags carry a `replace` directive that `go install` rejects.
  goPackage: `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`,
  pathVariable: 'TEMPORAL_CLI_PATH',
  cacheName: `temporal-cli-${TEMPORAL_CLI_VERSION}`,
  missing: (reason) => new TemporalCliMissingError(reason),
};

export function temporalCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return goBinaryCacheDir(TEMPORAL_CLI, env);
}

/** $TEMPORAL_CLI_PATH, then PATH, then our cache, then a one-time `go install` into the cache. */
export function provisionTemporalCli(options: ProvisionOptions = {}): Promise<string> {
  return provisionGoBinary(TEMPORAL_CLI, options);
}
