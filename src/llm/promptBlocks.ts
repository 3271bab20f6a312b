// A task prompt as Messages API blocks: the context sibling tasks share (the goal, common upstream
// outputs) comes first and is marked for Anthropic's prompt cache, so siblings after the first
// read it at a fraction of the price; the task's own part follows.
import type Anthropic from '@anthropic-ai/sdk';
import type { PromptParts } from '../run/taskPrompt';

export function promptBlocks(parts: PromptParts, own: string = parts.own): Anthropic.TextBlockParam[] {
  const shared = parts.shared.map((text, i): Anthropic.TextBlockParam => (i === parts.shared.length - 1 ? { type: 'text', text, cache_control: { type: 'ephemeral' } } : { type: 'text', text }));
  return [...shared, { type: 'text', text: own }];
}
