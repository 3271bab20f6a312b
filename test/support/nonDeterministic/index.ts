// A deliberately changed orchestrate workflow: it sleeps before doing the same work. Replaying
// recorded histories with it must fail, which proves the replay test catches such changes.
import { sleep } from '@temporalio/workflow';
import { orchestrate as original } from '../../../src/workflows/orchestrate';
import type { OrchestrateInput } from '../../../src/plan/schema';

export async function orchestrate(input: OrchestrateInput) {
  await sleep('1s');
  return original(input);
}
