// Prompt templates: `{{tasks.T-01.output}}` and `{{previous}}` (the one dependency's output).
// Checked before a run starts; filled in by the activity from the result store. Pure.

// No quantifier next to another that can match the same characters: matching stays linear in the
// text's length whatever it holds (the old `\s*([^{}]*?)\s*` took seconds on `{{` and spaces).
const TEMPLATE = /\{\{([^{}]*)\}\}/g;
const TASK_OUTPUT = /^tasks\.([A-Za-z0-9][A-Za-z0-9_.-]*)\.output$/;

export type TemplateRef = { kind: 'previous' } | { kind: 'task'; id: string } | { kind: 'item' } | { kind: 'index' } | { kind: 'unknown'; text: string };

export function templateRefs(prompt: string): TemplateRef[] {
  return [...prompt.matchAll(TEMPLATE)].map(([, raw]) => {
    const inner = raw!.trim();
    if (inner === 'previous') return { kind: 'previous' };
    if (inner === 'item' || inner === 'index') return { kind: inner };
    const match = TASK_OUTPUT.exec(inner!);
    return match ? { kind: 'task', id: match[1]! } : { kind: 'unknown', text: inner! };
  });
}

export function hasTemplates(prompt: string): boolean {
  return templateRefs(prompt).length > 0;
}

/**
 * Problems with a task's templates, given its own dependencies and all known ids. In a shell
 * command other `{{…}}` text is the command's own (`docker ps --format '{{.Names}}'`), not an error.
 */
export function templateProblems(prompt: string, dependsOn: string[], knownIds: Set<string>, options: { otherBracesAreText?: boolean; map?: boolean; shellString?: boolean } = {}): string[] {
  const problems: string[] = [];
  for (const ref of templateRefs(prompt)) {
    if ((ref.kind === 'item' || ref.kind === 'index') && !options.map) {
      problems.push(`{{${ref.kind}}} is for a task with forEach (it runs once per item)`);
      continue;
    }
    if (ref.kind === 'item' && options.shellString) {
      // An item (maybe an LLM's output) must not become shell syntax.
      problems.push('{{item}} cannot go into a command run by a shell: use "$DAGENT_ITEM" (the item is in the environment) or give the command as an argv list');
      continue;
    }
    if (ref.kind === 'item' || ref.kind === 'index') continue;
    if (ref.kind === 'unknown' && options.otherBracesAreText) continue;
    if (ref.kind === 'unknown') problems.push(`unknown template {{${ref.text}}}; use {{previous}} or {{tasks.<id>.output}}`);
    else if (ref.kind === 'previous' && dependsOn.length !== 1) {
      problems.push(`{{previous}} needs exactly one dependency; this task has ${dependsOn.length}`);
    } else if (ref.kind === 'task' && !knownIds.has(ref.id)) problems.push(`{{tasks.${ref.id}.output}} names an unknown task "${ref.id}"`);
    else if (ref.kind === 'task' && !dependsOn.includes(ref.id)) {
      problems.push(`{{tasks.${ref.id}.output}} names "${ref.id}", which is not a dependency; add it to dependsOn`);
    }
  }
  return problems;
}

/** Fills the templates in; outputs are keyed by task id. */
export function renderTemplates(text: string, dependsOn: string[], outputs: Map<string, string>): string {
  return replaceTemplates(text, dependsOn, (id) => outputs.get(id));
}

/** Replaces each template by what `fill` gives for the task it names; an unfilled one stays as written. */
export function replaceTemplates(text: string, dependsOn: string[], fill: (taskId: string) => string | undefined): string {
  return text.replace(TEMPLATE, (whole, raw: string) => {
    const inner = raw.trim();
    const id = inner === 'previous' ? dependsOn[0] : TASK_OUTPUT.exec(inner)?.[1];
    return (id !== undefined ? fill(id) : undefined) ?? whole;
  });
}
