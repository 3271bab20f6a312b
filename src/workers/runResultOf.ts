// The result of a closed run, read through the worker's Temporal client: what a rerun reuses.
// Each way there can be no result is a non-retryable failure that says which.
import { WorkflowFailedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { RunResult } from '../run/types';

export function runResultReader(client: Client, namespace: string): (workflowId: string) => Promise<RunResult> {
  return async (workflowId) => {
    const refuse = (message: string) => ApplicationFailure.create({ message, type: 'ReuseFromFailed', nonRetryable: true });
    const handle = client.workflow.getHandle(workflowId);
    const described = await handle.describe().catch((err: unknown) => {
      throw err instanceof WorkflowNotFoundError ? refuse(`there is no run ${workflowId} in namespace ${namespace}`) : err;
    });
    if (described.status.name === 'RUNNING') throw refuse(`run ${workflowId} is still running: rerun it once it has ended`);
    try {
      return (await handle.result()) as RunResult;
    } catch (err) {
      if (err instanceof WorkflowFailedError) throw refuse(`run ${workflowId} ended ${described.status.name.toLowerCase()} without a result to reuse: ${err.cause?.message ?? err.message}`);
      throw err;
    }
  };
}
