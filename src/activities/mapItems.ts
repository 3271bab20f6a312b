// The two activities of a map (forEach): mapItems finds its items when the map starts (an
// upstream output, or the files a glob matches under the workdir), and gatherMap files the
// items' outputs, in item order, as the map's one output for its dependents: whole while they
// fit in GATHER_INLINE_LIMIT, else a listing of the outputs' references and a note saying so.
import { ApplicationFailure, Context } from '@temporalio/activity';
import picomatch from 'picomatch';
import type { TaskOutcome, TaskStatus } from '../run/types';
import { walkFolders } from '../workspace/walkFiles';
import { Workspace } from '../workspace/workspace';
import type { ActivityDeps } from './deps';
import { storeOutput } from './storeOutput';
import { outputFileOf } from '../run/compactItems';
import { mapItemId } from '../plan/expandMap';

/** The most bytes of item outputs a dependent is given inline; beyond it, references. */
export const GATHER_INLINE_LIMIT = 200_000;
/** The most bytes of items a map may have (they travel in history). */
const ITEMS_LIMIT = 1_000_000;

export type MapSource = { outputRef: string; taskId: string } | { glob: string; workdir: string };

export async function mapItems(deps: ActivityDeps, input: MapSource): Promise<{ items: unknown[] }> {
  const items = 'outputRef' in input ? itemsOf(await deps.store.get(input.outputRef)) : await globbed(input.glob, input.workdir);
  const bytes = JSON.stringify(items).length;
  if (bytes > ITEMS_LIMIT) {
    const source = 'outputRef' in input ? `the output of ${input.taskId}` : `glob ${input.glob}`;
    throw ApplicationFailure.create({ message: `the items from ${source} are ${bytes} bytes; a map's items may be at most ${ITEMS_LIMIT} (list references, such as file paths, rather than contents)`, type: 'MapItemsTooLarge', nonRetryable: true });
  }
  return { items };
}

/** A JSON array as it is (also inside a ```json fence); otherwise one item per non-empty line. */
export function itemsOf(text: string): unknown[] {
  const trimmed = text.trim().replace(/^```(?:json)?\s*\n([\s\S]*?)\n```$/, '$1').trim();
  if (trimmed.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (Array.isArray(parsed)) return parsed;
    } catch {
      // Not JSON after all: lines.
    }
  }
  return text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
}

async function globbed(pattern: string, workdir: string): Promise<string[]> {
  const ws = await Workspace.open(workdir).catch((err: Error) => {
    throw ApplicationFailure.create({ message: `workdir ${workdir}: ${err.message} on this worker`, type: 'WorkdirMissing', nonRetryable: true });
  });
  const matches = picomatch(pattern, { dot: false });
  const found: string[] = [];
  for await (const folder of walkFolders(ws)) {
    Context.current().heartbeat();
    for (const file of folder.files) if (matches(file.path)) found.push(file.path);
  }
  return found.sort();
}

export interface GatherItem {
  id: string;
  status: TaskStatus;
  outputRef?: string;
  error?: string;
  reason?: string;
}

/**
 * A map's items, in item order: listed one by one, or (a big map, so that the input stays far
 * below Temporal's payload limits) as output folders and one row per item: its status, the index
 * of its output's folder (−1: no output; the file is named from the item's id) and why it has none.
 */
export type GatherInput = { mapId: string; items: GatherItem[] } | { mapId: string; folders: string[]; rows: Array<[TaskStatus, number, string?]> };

export async function gatherMap(deps: ActivityDeps, given: GatherInput): Promise<TaskOutcome> {
  const ctx = Context.current();
  const input = { mapId: given.mapId, items: 'items' in given ? given.items : itemsOfRows(given) };
  const texts = await Promise.all(input.items.map(async (item) => (item.outputRef ? deps.store.get(item.outputRef) : undefined)));
  const total = texts.reduce((n, t) => n + (t?.length ?? 0), 0);
  const inline = total <= GATHER_INLINE_LIMIT;
  const sections = input.items.map((item, i) => {
    const head = `## ${item.id}`;
    if (texts[i] === undefined) return `${head}\n(no output: ${item.status.toLowerCase()}${item.error ?? item.reason ? `: ${item.error ?? item.reason}` : ''})`;
    return inline ? `${head}\n${texts[i]}` : `${head}\noutput: ${item.outputRef} (${texts[i]!.length} characters)`;
  });
  const note = inline
    ? `The outputs of the ${input.items.length} items of ${input.mapId}, in item order.`
    : `The ${input.items.length} items of ${input.mapId} produced ${total} characters, more than the ${GATHER_INLINE_LIMIT} given inline: below is each item's output reference in the result store, in item order, not the outputs themselves.`;
  return storeOutput(deps, ctx, input.mapId, `${note}\n\n${sections.join('\n\n')}\n`, { usage: { inputTokens: 0, outputTokens: 0 }, attempt: ctx.info.attempt, truncated: false });
}

function itemsOfRows(input: { mapId: string; folders: string[]; rows: Array<[TaskStatus, number, string?]> }): GatherItem[] {
  return input.rows.map(([status, folder, why], index) => {
    const id = mapItemId(input.mapId, index);
    const folderOf = input.folders[folder];
    return { id, status, ...(folderOf !== undefined ? { outputRef: `${folderOf}/${outputFileOf(id)}` } : {}), ...(why !== undefined ? { error: why } : {}) };
  });
}
