// The prompt one task's agent receives: the overall goal, its own job, and its dependencies'
// outputs labelled by id and title. Pure.
import type { Task } from '../plan/schema';
import { hasTemplates, renderTemplates } from '../plan/templates';
import { clip, firstLine } from '../text/shortenText';

/** Upstream text handed to one task, in total; a long output is cut with a visible note. */
const UPSTREAM_BUDGET_CHARS = 120_000;

export const DEFAULT_TASK_SYSTEM_PROMPT =
  'You are a focused expert agent doing one task of a larger plan. Do exactly this task, nothing else. ' +
  'Give concrete, verifiable results; when you report findings, give each a severity (critical, high, medium, low, info).';

export interface UpstreamText {
  id: string;
  title: string;
  text: string;
}

export interface PromptParts {
  /** Context sibling tasks share (the goal, common upstream outputs): first, so a prompt cache can reuse it. */
  shared: string[];
  /** This task's own part. */
  own: string;
}

/**
 * A prompt with templates gets the outputs where it asks for them; one without gets them in a
 * section of their own, before the task.
 */
export function buildTaskPromptParts(task: Task, goal: string | undefined, upstream: UpstreamText[], lineage: Lineage = {}): PromptParts {
  const shared: string[] = lineageSections(lineage);
  if (goal) shared.push(`## Overall goal\n${goal}`);
  const share = upstream.length > 0 ? Math.floor(UPSTREAM_BUDGET_CHARS / upstream.length) : 0;
  const prompt = task.prompt ?? '';
  const templated = hasTemplates(prompt);
  const clipped = new Map(upstream.map((u) => [u.id, clip(u.text, share)]));
  const body = templated ? renderTemplates(prompt, task.dependsOn ?? [], clipped) : prompt;
  if (upstream.length > 0 && !templated) {
    const sections = upstream.map((u) => `### ${u.id} · ${u.title}\n${clip(u.text, share)}`);
    shared.push(`## Results of the tasks yours depends on\n\n${sections.join('\n\n')}`);
  }
  const own = [`## Your task: ${task.id} · ${task.title}\n${body}`];
  if (task.expectedOutput) own.push(`## Expected output\n${renderTemplates(task.expectedOutput, task.dependsOn ?? [], clipped)}`);
  if (task.outputSchema) {
    own.push(`## Output format\nAnswer with only a JSON value that matches this JSON Schema, and no other text:\n\`\`\`json\n${JSON.stringify(task.outputSchema, null, 2)}\n\`\`\``);
  }
  return { shared, own: own.join('\n\n') };
}

/** Where a sub-plan sits: the goals above it, and the outputs its parent handed down. */
export interface Lineage {
  ancestors?: string[];
  inherited?: UpstreamText[];
}

export function lineageSections({ ancestors = [], inherited = [] }: Lineage): string[] {
  const sections: string[] = [];
  if (ancestors.length > 0) sections.push(`## This is part of a larger goal\n${ancestors.map((g) => firstLine(g)).join(' › ')}`);
  if (inherited.length > 0) {
    const share = Math.floor(UPSTREAM_BUDGET_CHARS / inherited.length);
    sections.push(`## Results handed down from the parent run\n\n${inherited.map((u) => `### ${u.id} · ${u.title}\n${clip(u.text, share)}`).join('\n\n')}`);
  }
  return sections;
}

export function joinPrompt(parts: PromptParts): string {
  return [...parts.shared, parts.own].join('\n\n');
}
