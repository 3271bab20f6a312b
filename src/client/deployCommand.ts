// `dagent deploy promote <build-id>`: make a build the current version of a worker deployment, so
// new runs start on it; runs already under way stay pinned to the build they began on. The same
// as `temporal worker deployment set-current-version`.
import { randomUUID } from 'node:crypto';
import { connectClient, resolveTemporal } from '../temporal/connect';
import { CliError, EXIT } from './exitCodes';
import { logLine, type ConnectionFlags } from './shared';

export interface PromoteFlags extends Omit<ConnectionFlags, 'taskQueue'> {
  deployment: string;
}

export async function promoteCommand(buildId: string, flags: PromoteFlags): Promise<number> {
  const target = await resolveTemporal({ address: flags.address, namespace: flags.namespace, profile: flags.profile, autoStart: false, log: logLine });
  const client = await connectClient(target);
  try {
    const answer = await client.workflowService
      .setWorkerDeploymentCurrentVersion({ namespace: target.namespace, deploymentName: flags.deployment, buildId, identity: `dagent-cli-${randomUUID().slice(0, 8)}` })
      .catch((err: unknown) => {
        // The server's own reason (no poller of that build seen yet, an unknown deployment) is what to act on.
        throw new CliError(`refused: cannot make build ${buildId} current in deployment ${flags.deployment}: ${(err as { details?: string }).details ?? (err as Error).message}`, EXIT.usage);
      });
    const previous = answer.previousDeploymentVersion?.buildId;
    process.stdout.write(`build ${buildId} is now the current version of deployment ${flags.deployment}${previous ? ` (was ${previous}; its runs finish on it)` : ''}\n`);
    return EXIT.ok;
  } finally {
    await client.connection.close();
  }
}
