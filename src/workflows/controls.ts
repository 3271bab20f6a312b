// The run's queries and the operator's updates. Every update has a validator that parses the
// payload and checks the move against the run's state without changing it, so a refused update
// leaves the run exactly as it was. Workflow code: deterministic, no I/O.
import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { z } from 'zod';
import { applyPlanPatch } from '../plan/planPatch';
import {
  ApproveRequestSchema,
  PatchRequestSchema,
  RejectRequestSchema,
  ReleaseRequestSchema,
  RetryRequestSchema,
  TaskRequestSchema,
} from '../run/controlRequests';
import { ControlError } from '../run/taskTable';
import { DONE_STATUSES, type AuditEntry, type RunStatusView } from '../run/types';
import {
  agentProgressSignal,
  approveUpdate,
  cancelTaskUpdate,
  patchPlanUpdate,
  planQuery,
  rejectUpdate,
  releaseUpdate,
  retryTaskUpdate,
  skipTaskUpdate,
  statusQuery,
  taskAttemptSignal,
  usageQuery,
} from './messages';
import type { RunState } from './runState';

export function registerControls(run: RunState): void {
  setHandler(statusQuery, () => run.view());
  setHandler(planQuery, () => run.plan() ?? { tasks: [] });
  setHandler(usageQuery, () => run.usage());
  // The loop wakes to publish it to the Web UI's details; nothing else changes.
  setHandler(agentProgressSignal, (notice) => {
    run.table?.noteActivity(notice);
    run.wake();
  });
  setHandler(taskAttemptSignal, (notice) => {
    run.table?.noteAttempt(notice);
    run.wake();
  });

  control(run, approveUpdate, ApproveRequestSchema, 'approve', (req) => {
    if (req.taskId === undefined) {
      mustAwaitPlanApproval(run, 'approve');
      return () => {
        run.planDecision = { approved: true, reason: req.reason };
        return 'plan approved';
      };
    }
    const table = mustHaveTable(run);
    table.checkApprove(req.taskId);
    return () => (table.approve(req.taskId!), `${req.taskId} approved`);
  });

  control(run, rejectUpdate, RejectRequestSchema, 'reject', (req) => {
    if (req.taskId === undefined) {
      mustAwaitPlanApproval(run, 'reject');
      return () => {
        run.planDecision = { approved: false, reason: req.reason };
        return 'plan rejected';
      };
    }
    const table = mustHaveTable(run);
    table.checkSkip(req.taskId, 'reject');
    return () => (table.skipByOperator(req.taskId!, `rejected${req.reason ? `: ${req.reason}` : ''}`), `${req.taskId} rejected`);
  });

  control(run, skipTaskUpdate, TaskRequestSchema, 'skip', (req) => {
    const table = mustHaveTable(run);
    const held = run.phase === 'Held';
    table.checkSkip(req.taskId, 'skip', held);
    return () => (table.skipByOperator(req.taskId, `skipped by operator${req.reason ? `: ${req.reason}` : ''}`, held), `${req.taskId} skipped`);
  });

  control(run, releaseUpdate, ReleaseRequestSchema, 'release', () => {
    if (run.phase !== 'Held') throw new ControlError(`cannot release the run: it is ${run.phase}, not held`);
    return () => {
      run.released = true;
      return 'released: the report is written from what finished';
    };
  });

  control(run, cancelTaskUpdate, TaskRequestSchema, 'cancel', (req) => {
    const table = mustHaveTable(run);
    table.checkCancel(req.taskId);
    return (now) => {
      const reason = `cancelled by operator${req.reason ? `: ${req.reason}` : ''}`;
      // A map takes its items with it.
      const open = table.mapItemIds(req.taskId).filter((id) => !DONE_STATUSES.has(table.get(id)!.status));
      for (const id of [req.taskId, ...open]) if (table.cancelByOperator(id, reason, now)) run.scopes.get(id)?.cancel();
      return open.length > 0 ? `${req.taskId} cancelled, with its ${open.length} open items` : `${req.taskId} cancelled`;
    };
  });

  control(run, retryTaskUpdate, RetryRequestSchema, 'retry', (req) => {
    const table = mustHaveTable(run);
    mustBeExecuting(run, 'retry');
    table.checkRetry(req.taskId);
    return () => `${table.retry(req.taskId, req.prompt).join(', ')} back to Pending`;
  });

  control(run, patchPlanUpdate, PatchRequestSchema, 'patch', (req) => {
    const table = mustHaveTable(run);
    if (run.phase !== 'AwaitingApproval' && run.phase !== 'Running' && run.phase !== 'Held') throw new ControlError(`cannot patch the plan while the run is ${run.phase}`);
    const patched = applyPlanPatch(table.plan(run.planBase), req.patch);
    if (!patched.ok) throw new ControlError(patched.message);
    table.checkPatch(patched.plan);
    return () => {
      table.applyPatch(patched.plan);
      const { add = [], update = [], remove = [] } = req.patch;
      return `plan patched: ${add.length} added, ${update.length} updated, ${remove.length} removed`;
    };
  });
}

/**
 * One update: the validator parses the payload and runs the check (which throws a ControlError
 * to refuse); the handler applies the move the check returned, records it, and answers the state.
 */
function control<Req extends { requestId: string; taskId?: string; reason?: string }>(
  run: RunState,
  update: UpdateDefinition<RunStatusView, [Req]>,
  schema: z.ZodType<Req>,
  action: AuditEntry['action'],
  check: (req: Req) => (now: number) => string,
): void {
  const validate = (raw: unknown): Req => {
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw new ControlError(`invalid ${action} request: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(request)'}: ${i.message}`).join('; ')}`);
    return parsed.data;
  };
  /** The same requestId may repeat the same move (no second effect), never name a different one. */
  const earlierAnswer = (req: Req): RunStatusView | undefined => {
    const earlier = run.answered.get(req.requestId);
    if (earlier && earlier.request !== fingerprint(action, req)) {
      throw new ControlError(`requestId ${req.requestId} was already used for another request (${earlier.request.slice(0, 200)}); send this one with a new requestId`);
    }
    // Answered before the run continued as new: the state as it is now.
    return earlier && (earlier.answer ?? run.view());
  };
  const apply = (raw: Req): RunStatusView =>
    refusedAsFailure(() => {
      const req = validate(raw);
      const earlier = earlierAnswer(req);
      if (earlier) return earlier;
      const now = Date.now();
      const effect = check(req)(now);
      run.record({ requestId: req.requestId, action, effect, ...(req.taskId ? { taskId: req.taskId } : {}), ...(req.reason ? { reason: req.reason } : {}) }, now);
      const answer = run.view();
      run.answered.set(req.requestId, { request: fingerprint(action, req), answer });
      return answer;
    });
  setHandler(
    update,
    // A run continuing a chain reads its state in first (from the result store, a few activities):
    // a move that comes meanwhile waits for it, then is checked and applied like any other.
    async (raw: Req) => {
      if (run.handingOver) await condition(() => !run.handingOver);
      return apply(raw);
    },
    {
      validator: (raw: Req) =>
        refusedAsFailure(() => {
          const req = validate(raw);
          if (!run.handingOver && !earlierAnswer(req)) check(req);
        }),
    },
  );
}

/**
 * A refusal leaves as a plain, non-retryable ApplicationFailure: it rejects the update (another
 * error thrown by a handler would fail the workflow task), and without a type the `temporal`
 * CLI prints just the reason, not "(type: ControlError, retryable: true)".
 */
function refusedAsFailure<T>(move: () => T): T {
  try {
    return move();
  } catch (err) {
    if (err instanceof ControlError) throw ApplicationFailure.create({ message: err.message, nonRetryable: true });
    throw err;
  }
}

/** What a request asks, without its id: the action and its payload. */
function fingerprint(action: string, req: { requestId: string }): string {
  const { requestId: _id, ...payload } = req;
  return `${action} ${JSON.stringify(payload)}`;
}

function mustHaveTable(run: RunState) {
  if (!run.table) throw new ControlError(`the run has no plan yet (it is ${run.phase})`);
  return run.table;
}

function mustAwaitPlanApproval(run: RunState, action: string): void {
  if (run.phase !== 'AwaitingApproval') throw new ControlError(`cannot ${action} the plan: the run is ${run.phase}, not waiting for plan approval; name a task with taskId`);
}

function mustBeExecuting(run: RunState, action: string): void {
  if (run.phase !== 'Running' && run.phase !== 'Held') throw new ControlError(`cannot ${action} while the run is ${run.phase}`);
}
