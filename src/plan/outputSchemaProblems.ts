// The outputSchema of every task, compiled once before a run: the CLI and the planner refuse a
// plan whose schema cannot be used. The workflow does not run this check (it would need ajv);
// a schema that reaches a task unchecked fails that task at once instead.
import { jsonSchemaError } from './jsonSchemaCheck';
import type { Plan } from './schema';
import type { PlanProblem } from './validatePlan';

export function outputSchemaProblems(plan: Plan): PlanProblem[] {
  return plan.tasks.flatMap((task, i): PlanProblem[] => {
    const error = task.outputSchema && jsonSchemaError(task.outputSchema);
    return error ? [{ taskId: task.id, path: `tasks[${i}].outputSchema`, message: `not a valid JSON Schema: ${error}` }] : [];
  });
}
