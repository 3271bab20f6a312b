// /healthz's verdict from the SDK's worker status, without a server.
import { describe, expect, it } from 'vitest';
import { workerHealth } from '../src/workers/workerHealth';

const running = { runState: 'RUNNING', workflowPollerState: 'POLLING', activityPollerState: 'POLLING' } as const;

describe('workerHealth', () => {
  it('is live while every worker runs and no poller failed', () => {
    expect(workerHealth([{ taskQueue: 'q', status: running }, { taskQueue: 'q-gpu', status: { ...running, workflowPollerState: 'SHUTDOWN' } }]).live).toBe(true);
  });

  it('is not live when a poller failed, a worker stopped, or there is no worker', () => {
    expect(workerHealth([{ taskQueue: 'q', status: { ...running, activityPollerState: 'FAILED' } }]).live).toBe(false);
    expect(workerHealth([{ taskQueue: 'q', status: { ...running, runState: 'STOPPING' } }])).toMatchObject({ live: false, queues: [{ taskQueue: 'q', runState: 'STOPPING' }] });
    expect(workerHealth([]).live).toBe(false);
  });
});
