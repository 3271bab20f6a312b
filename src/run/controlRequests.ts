// The payloads of the operator's updates, one zod schema each. Every request carries a
// requestId: the same id sent again has no second effect. Pure.
import { z } from 'zod';
import { PlanPatchSchema } from '../plan/planPatch';
import { PLAN_LIMITS } from '../plan/schema';
import { sharedValue } from '../plan/sharedValue';

/** Made once per process and shared by every run (see sharedValue). */
function makeRequestSchemas() {
  const RequestId = z.string().min(1).max(200);
  const TaskRef = z.string().min(1).max(64);
  const Reason = z.string().max(2000).optional();
  const ApproveRequestSchema = z.object({ requestId: RequestId, taskId: TaskRef.optional(), reason: Reason }).strict();
  return {
    ApproveRequestSchema,
    RejectRequestSchema: ApproveRequestSchema,
    ReleaseRequestSchema: z.object({ requestId: RequestId, reason: Reason }).strict(),
    TaskRequestSchema: z.object({ requestId: RequestId, taskId: TaskRef, reason: Reason }).strict(),
    RetryRequestSchema: z.object({ requestId: RequestId, taskId: TaskRef, prompt: z.string().trim().min(1).max(PLAN_LIMITS.maxPromptChars).optional(), reason: Reason }).strict(),
    PatchRequestSchema: z
      .object({ requestId: RequestId, patch: PlanPatchSchema, reason: Reason })
      .strict()
      .refine((r) => JSON.stringify(r).length <= PLAN_LIMITS.maxPlanBytes, `a patch may be at most ${PLAN_LIMITS.maxPlanBytes} bytes`),
  };
}

export const { ApproveRequestSchema, RejectRequestSchema, ReleaseRequestSchema, TaskRequestSchema, RetryRequestSchema, PatchRequestSchema } = sharedValue('request-schemas', makeRequestSchemas);

export type ApproveRequest = z.infer<typeof ApproveRequestSchema>;
export type RejectRequest = z.infer<typeof RejectRequestSchema>;
export type ReleaseRequest = z.infer<typeof ReleaseRequestSchema>;
export type TaskRequest = z.infer<typeof TaskRequestSchema>;
export type RetryRequest = z.infer<typeof RetryRequestSchema>;
export type PatchRequest = z.infer<typeof PatchRequestSchema>;
