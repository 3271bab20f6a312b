// `dagent validate FILE`: check a plan file and show its shape; start nothing.
import { describePlan } from '../plan/planLayers';
import { readPlanFile } from '../plan/readPlanFile';
import { EXIT } from './exitCodes';

export async function validateCommand(file: string): Promise<number> {
  const plan = await readPlanFile(file);
  process.stdout.write(`${file}: valid\n${describePlan(plan)}\n`);
  return EXIT.ok;
}
