// The baseline's one activity: the same LLM call a dagent task makes (a streamed Messages call
// through the Anthropic SDK, to the same test server), recorded by that server as a task request.
import Anthropic from '@anthropic-ai/sdk';

export function createRawActivities(baseURL: string) {
  const client = new Anthropic({ apiKey: 'bench-key', baseURL, maxRetries: 0 });
  return {
    async rawTask(id: string): Promise<string> {
      const message = await client.messages
        .stream({
          model: 'claude-bench',
          max_tokens: 1024,
          messages: [{ role: 'user', content: `## Your task: ${id} · raw\nDo it.` }],
        })
        .finalMessage();
      return message.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
    },
  };
}

export type RawActivities = ReturnType<typeof createRawActivities>;
