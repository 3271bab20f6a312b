// Entry point of the workflow bundle: every workflow type the worker registers.
export { orchestrate } from './orchestrate';
export { planGoal } from './planGoal';
export { agentTask } from './agentTask';
