// aggregate: merges the completed tasks' outputs into one report. The LLM writes the summary and
// the deduplicated findings by severity; the status table and the failures are added without it.
import { Context } from '@temporalio/activity';
import { callModel } from '../llm/callModel';
import { clip, firstLine } from '../text/shortenText';
import { addUsage, NO_USAGE, OUTPUT_READY, type AggregateInput, type AggregateOutcome, type TaskRecord, type Usage } from '../run/types';
import { mermaidSection } from '../report/mermaid';
import { problemsSection, reusedSection, statsLine, statusTable, usageLine } from '../report/statusTable';
import { DEFAULT_PRICES, withCost } from '../run/prices';
import { isMapItem } from '../run/mergeTaskRecords';
import { readRunTasks } from '../store/runTasks';
import type { ActivityDeps } from './deps';
import { runKeyOf } from './deps';

const LLM_INPUT_BUDGET_CHARS = 150_000;
const FALLBACK_OUTPUT_CHARS = 20_000;
const REPORT_INLINE_LIMIT = 256 * 1024;

export const AGGREGATOR_SYSTEM_PROMPT = [
  'You merge the outputs of several AI agent tasks, all working towards one goal, into one report in Markdown.',
  'Write exactly these sections:',
  '## Executive summary: 3 to 6 sentences for a busy reader; mention it if some tasks failed or were skipped.',
  '## Findings: ordered by severity (critical, high, medium, low, info). Merge duplicates that several tasks reported into one',
  'finding and name the task ids that reported it. Do not invent findings that no task reported.',
  '## Details: anything else worth keeping, grouped by theme.',
  'Do not write a status table: it is added after your text.',
].join('\n');

export async function aggregate(deps: ActivityDeps, given: AggregateInput): Promise<AggregateOutcome> {
  const ctx = Context.current();
  const input = { ...given, tasks: await reportedTasks(deps, given) };
  const completed = input.tasks.filter((t) => OUTPUT_READY.has(t.status) && t.outputRef);
  const outputs = await Promise.all(completed.map(async (t) => ({ task: t, text: await deps.store.get(t.outputRef!) })));

  let body: string;
  let usage: Usage = NO_USAGE;
  // Without a key on this worker the report is written without the LLM, not failed.
  const useLlm = input.useLlm && Boolean(deps.llm.apiKey);
  if (useLlm && outputs.length > 0) {
    const share = Math.floor(LLM_INPUT_BUDGET_CHARS / outputs.length);
    const sections = outputs.map(({ task, text }) => `### ${task.id} · ${task.title}\n${clip(text, share)}`);
    const failures = problemsSection(input.tasks);
    const answer = await callModel(ctx, deps, {
      model: input.model ?? deps.llm.defaultModel,
      max_tokens: 8192,
      system: AGGREGATOR_SYSTEM_PROMPT,
      messages: [
        {
          role: 'user',
          content: [
            input.goal ? `Goal: ${input.goal}` : '',
            `Task outputs:\n\n${sections.join('\n\n')}`,
            failures ? `Tasks without output:\n${failures}` : '',
          ].filter(Boolean).join('\n\n'),
        },
      ],
    }, { patience: input.patience });
    body = answer.text.trim();
    usage = withCost(answer.usage, input.model ?? deps.llm.defaultModel, input.prices ?? DEFAULT_PRICES);
  } else {
    const note = input.useLlm && !deps.llm.apiKey ? 'no ANTHROPIC_API_KEY on the worker' : input.llmError;
    body = fallbackBody(outputs, note);
  }

  // The usage line covers the whole run, this report's own call included.
  const report = assembleReport(body, { ...input, ...(input.usage ? { usage: addUsage(input.usage, usage) } : {}) });
  const reportRef = await deps.store.put(`${runKeyOf(ctx)}/report.md`, report);
  const inline = report.length <= REPORT_INLINE_LIMIT ? report : `${report.slice(0, REPORT_INLINE_LIMIT)}\n\n[… report cut here; the whole report is at ${reportRef} in the result store]`;
  return { report: inline, reportRef, usage };
}

function assembleReport(body: string, input: AggregateInput): string {
  const parts = [`# dagent report${input.goal ? `: ${firstLine(input.goal)}` : ''}`, body];
  const failures = problemsSection(input.tasks);
  if (failures) parts.push(`## Failed and skipped tasks\n${failures}`);
  const reused = reusedSection(input.tasks);
  if (reused) parts.push(`## Reused from earlier runs\n${reused}`);
  const reading = input.tasks.filter((t) => t.filesRead?.length);
  if (reading.length > 0) parts.push(`## Files read\n${reading.map((t) => `- ${t.id} · ${t.title}: ${t.filesRead!.join(', ')}`).join('\n')}`);
  parts.push(`## Task status\n${statusTable(input.tasks)}\n\n${statsLine(input.stats)}${input.usage ? `\n\n${usageLine(input.usage)}` : ''}`);
  parts.push(mermaidSection(input.tasks));
  return parts.join('\n\n') + '\n';
}

function fallbackBody(outputs: Array<{ task: TaskRecord; text: string }>, why: string | undefined): string {
  const note = why ? `_Written without the LLM: ${why}._\n\n` : '';
  if (outputs.length === 0) return `${note}## Results\nNo task completed.`;
  const sections = outputs.map(({ task, text }) => `### ${task.id} · ${task.title}\n${clip(text, FALLBACK_OUTPUT_CHARS)}`);
  return `${note}## Results\n\n${sections.join('\n\n')}`;
}

/**
 * The tasks the report covers. A big run's completed map items are in its ledger pages: the
 * report reads them only to list the items that did not complete; each map's own (gathered)
 * output stands for its completed items, and the status table counts them.
 */
async function reportedTasks(deps: ActivityDeps, input: AggregateInput): Promise<TaskRecord[]> {
  if (!input.taskPages?.length) return input.tasks;
  const all = await readRunTasks(input, deps.store);
  return all.filter((t) => !isMapItem(t.id) || !OUTPUT_READY.has(t.status));
}
