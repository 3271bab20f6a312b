// How a task's approvalMode and sandboxMode become each AI CLI's own flags. One table, also
// printed in the README. sandboxMode decides the permission level when both are given.
import type { Task } from '../plan/schema';

type Approval = NonNullable<Task['approvalMode']>;
type Sandbox = NonNullable<Task['sandboxMode']>;

export const CLAUDE_FLAGS: { approval: Record<Approval, string[]>; sandbox: Record<Sandbox, string[]> } = {
  approval: { default: [], auto: ['--permission-mode', 'acceptEdits'], none: ['--permission-mode', 'bypassPermissions'], always: ['--permission-mode', 'default'] },
  sandbox: { default: [], 'read-only': ['--permission-mode', 'plan'], workspace: ['--permission-mode', 'acceptEdits'], full: ['--dangerously-skip-permissions'] },
};

export const CODEX_FLAGS: { approval: Record<Approval, string[]>; sandbox: Record<Sandbox, string[]> } = {
  approval: { default: [], auto: ['--ask-for-approval', 'on-failure'], none: ['--ask-for-approval', 'never'], always: ['--ask-for-approval', 'untrusted'] },
  sandbox: { default: [], 'read-only': ['--sandbox', 'read-only'], workspace: ['--sandbox', 'workspace-write'], full: ['--sandbox', 'danger-full-access'] },
};

export const GEMINI_FLAGS: { approval: Record<Approval, string[]>; sandbox: Record<Sandbox, string[]> } = {
  approval: { default: [], auto: ['--approval-mode', 'auto_edit'], none: ['--approval-mode', 'yolo'], always: ['--approval-mode', 'default'] },
  sandbox: { default: [], 'read-only': ['--sandbox', '--approval-mode', 'default'], workspace: ['--sandbox'], full: [] },
};

/** Claude has one permission flag: the sandbox mode's wins over the approval mode's. */
export function claudePermissionFlags(task: Task): string[] {
  const sandbox = CLAUDE_FLAGS.sandbox[task.sandboxMode ?? 'default'];
  return sandbox.length > 0 ? sandbox : CLAUDE_FLAGS.approval[task.approvalMode ?? 'default'];
}

/** Gemini's read-only sandbox already fixes the approval mode. */
export function geminiPermissionFlags(task: Task): string[] {
  const sandbox = GEMINI_FLAGS.sandbox[task.sandboxMode ?? 'default'];
  return sandbox.includes('--approval-mode') ? sandbox : [...GEMINI_FLAGS.approval[task.approvalMode ?? 'default'], ...sandbox];
}
