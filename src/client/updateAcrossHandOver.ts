// An update sent while a run continues as new can reach the run that is just closing: Temporal
// answers NOT_FOUND ("workflow execution already completed") though the workflow id runs on.
// Sent again (the same request id, so never applied twice), it reaches the new run.
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';

const ATTEMPTS = 10;
const PAUSE_MS = 200;

export async function updateAcrossHandOver<T>(client: Client, workflowId: string, send: (handle: WorkflowHandle) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send(client.workflow.getHandle(workflowId));
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError) || attempt >= ATTEMPTS) throw err;
      const running = await client.workflow
        .getHandle(workflowId)
        .describe()
        .then((d) => d.status.name === 'RUNNING')
        .catch(() => false);
      if (!running) throw err;
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    }
  }
}
