// A plan file that cannot be run as written: every problem with its task and field.
import type { PlanProblem } from './validatePlan';

export class PlanFileError extends Error {
  constructor(readonly file: string, readonly problems: PlanProblem[]) {
    super(`${file}: invalid plan\n${problems.map((p) => `  ${file}: ${p.path}${p.taskId ? ` (task ${p.taskId})` : ''}: ${p.message}`).join('\n')}`);
    this.name = 'PlanFileError';
  }
}
