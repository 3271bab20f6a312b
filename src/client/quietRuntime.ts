// The Temporal runtime of a CLI process that runs a worker: quiet, and maybe without its own signal handling.
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { dagentSettings } from '../settings/dagentSettings';

let runtimeInstalled = false;
/**
 * The SDK logs at INFO by default; task failures are shown in the table, so the CLI logs only
 * errors. `ownSignals`: the command handles Ctrl-C itself instead of the SDK shutting workers down.
 */
export function installQuietRuntime(options: { ownSignals?: boolean } = {}): void {
  if (runtimeInstalled) return;
  Runtime.install({
    logger: new DefaultLogger(dagentSettings().logLevel),
    ...(options.ownSignals ? { shutdownSignals: [] } : {}),
  });
  runtimeInstalled = true;
}
