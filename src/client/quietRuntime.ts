// The Temporal runtime of a CLI process that runs a worker: quiet, maybe without its own signal
// handling, maybe exporting metrics. Installed once per process, here only.
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { dagentSettings } from '../settings/dagentSettings';

let runtimeInstalled = false;
/**
 * The SDK logs at INFO by default; task failures are shown in the table, so the CLI logs only
 * errors. `ownSignals`: the command handles Ctrl-C itself instead of the SDK shutting workers down.
 */
export function installQuietRuntime(options: { ownSignals?: boolean; prometheusBind?: string } = {}): void {
  if (runtimeInstalled) return;
  Runtime.install({
    logger: new DefaultLogger(dagentSettings().logLevel),
    ...(options.ownSignals ? { shutdownSignals: [] } : {}),
    // The SDK's Prometheus exporter: its own metrics and dagent's (recorded through its meter).
    ...(options.prometheusBind ? { telemetryOptions: { metrics: { prometheus: { bindAddress: options.prometheusBind } } } } : {}),
  });
  runtimeInstalled = true;
}
