// A map task's expansion: one task per item, named `T-03[0]`, `T-03[1]`, …, with the item and its
// index filled into the prompt, system prompt, expected output and argv command. A shell string
// command gets the item in its environment (DAGENT_ITEM, DAGENT_INDEX) instead: an item, maybe an
// LLM's output, never becomes shell syntax. Pure: the workflow expands, deterministically.
import type { ForEach, Task } from './schema';

/** Longest title an item adds to its task's title. */
const ITEM_IN_TITLE = 60;

export function mapItemId(mapId: string, index: number): string {
  return `${mapId}[${index}]`;
}

/** The map and position an item id names (`T-03[2]`), or undefined for a plan's own task: its ids cannot contain "[". */
export function mapItemOf(taskId: string): { mapId: string; index: number } | undefined {
  const m = /^(.+)\[(\d+)\]$/.exec(taskId);
  return m ? { mapId: m[1]!, index: Number(m[2]) } : undefined;
}

/** An item as text: strings as they are, anything else as JSON. */
export function itemText(item: unknown): string {
  return typeof item === 'string' ? item : JSON.stringify(item);
}

export function expandMapTask(map: Task, items: readonly unknown[]): Task[] {
  const { forEach: _forEach, ...base } = map;
  return items.map((item, index) => {
    const text = itemText(item);
    const fill = (s: string) => s.replace(/\{\{\s*item\s*\}\}/g, () => text).replace(/\{\{\s*index\s*\}\}/g, String(index));
    const task: Task = { ...base, id: mapItemId(map.id, index), title: `${map.title} · ${text.length > ITEM_IN_TITLE ? `${text.slice(0, ITEM_IN_TITLE - 1)}…` : text}` };
    if (task.prompt !== undefined) task.prompt = fill(task.prompt);
    if (task.systemPrompt !== undefined) task.systemPrompt = fill(task.systemPrompt);
    if (task.expectedOutput !== undefined) task.expectedOutput = fill(task.expectedOutput);
    if (Array.isArray(task.command)) task.command = task.command.map(fill);
    else if (typeof task.command === 'string') task.command = task.command.replace(/\{\{\s*index\s*\}\}/g, String(index));
    if ((task.backend ?? 'anthropic') === 'shell') task.env = { ...task.env, DAGENT_ITEM: text, DAGENT_INDEX: String(index) };
    return task;
  });
}

/** How many of `count` items may fail before the map fails: a whole number as given, a share below 1 of the items. */
export function allowedFailures(forEach: Pick<ForEach, 'allowFailures'>, count: number): number {
  const allow = forEach.allowFailures ?? 0;
  return allow < 1 ? Math.floor(allow * count) : Math.floor(allow);
}
