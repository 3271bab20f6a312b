// An Anthropic-compatible Messages API server that tests own: the real SDK talks HTTP to it.
// Each test scripts its replies (text, tool calls, delays) and faults (status codes, hangs, cut
// streams, resets), and reads back every request it received.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from '../../src/http/readBody';

export type Reply =
  | { text: string; delayMs?: number; stopReason?: string; usage?: ReplyUsage }
  | { tool: { name: string; input: unknown }; delayMs?: number }
  /** Tool input sent as this raw JSON text, valid or not. */
  | { toolRaw: { name: string; json: string }; delayMs?: number }
  | { status: number; errorType?: string; message?: string; headers?: Record<string, string>; delayMs?: number }
  | { hang: true }
  | { cutStream: true; text: string }
  | { reset: true };

export interface ReplyUsage {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
}

export type RequestKind = 'decompose' | 'task' | 'aggregate' | 'other';

export interface RecordedRequest {
  index: number;
  kind: RequestKind;
  /** The task id for a task request (from its prompt header). */
  taskId?: string;
  body: {
    model: string;
    max_tokens: number;
    system?: string | Array<{ type: string; text: string; cache_control?: unknown }>;
    stream?: boolean;
    tools?: Array<{ name: string }>;
    messages: Array<{ role: string; content: unknown }>;
  };
  /** All user text of the request, tool results included. */
  prompt: string;
  /** The system prompt as text, whether sent as a string or as blocks. */
  system: string;
  apiKey?: string;
  receivedAt: number;
  /** When the reply was fully sent (absent for hangs, resets and cut streams). */
  respondedAt?: number;
}

export type Handler = (request: RecordedRequest) => Reply | Promise<Reply>;

export interface FakeAnthropic {
  url: string;
  requests: RecordedRequest[];
  handle(handler: Handler): void;
  /** Requests of one task id, in order. */
  callsFor(taskId: string): RecordedRequest[];
  close(): Promise<void>;
}

export const defaultHandler: Handler = (req) => {
  if (req.kind === 'aggregate') return { text: `## Executive summary\nMerged ${countTasks(req.prompt)} task outputs.\n\n## Findings\n- info: all good` };
  if (req.kind === 'task') return { text: `output of ${req.taskId}` };
  return { text: 'ok' };
};

export async function startFakeAnthropic(handler: Handler = defaultHandler): Promise<FakeAnthropic> {
  let current = handler;
  const requests: RecordedRequest[] = [];
  const sockets = new Set<import('node:net').Socket>();

  const server = createServer(async (req, res) => {
    if (req.method !== 'POST' || !req.url?.startsWith('/v1/messages')) {
      return sendError(res, 404, 'not_found_error', `no route ${req.method} ${req.url}`);
    }
    const body = JSON.parse(await readBody(req)) as RecordedRequest['body'];
    const recorded = record(body, requests.length, header(req, 'x-api-key') ?? bearer(header(req, 'authorization')));
    requests.push(recorded);
    if (!recorded.apiKey) return sendError(res, 401, 'authentication_error', 'an x-api-key or Authorization: Bearer header is required');
    let reply: Reply;
    try {
      reply = await current(recorded);
    } catch (err) {
      return sendError(res, 500, 'api_error', `test handler threw: ${(err as Error).message}`);
    }
    await respond(reply, body, res);
    if (res.writableEnded) recorded.respondedAt = Date.now();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    handle(next) {
      current = next;
    },
    callsFor(taskId) {
      return requests.filter((r) => r.taskId === taskId);
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function record(body: RecordedRequest['body'], index: number, apiKey: string | undefined): RecordedRequest {
  const prompt = body.messages
    .filter((m) => m.role === 'user')
    .map((m) => contentText(m.content))
    .join('\n');
  const system = typeof body.system === 'string' ? body.system : (body.system ?? []).map((b) => b.text).join('\n');
  const kind: RequestKind = body.tools?.some((t) => t.name === 'submit_plan')
    ? 'decompose'
    : system.startsWith('You merge')
      ? 'aggregate'
      : /## Your task: /.test(prompt)
        ? 'task'
        : 'other';
  const taskId = kind === 'task' ? /## Your task: (\S+) ·/.exec(prompt)?.[1] : undefined;
  return { index, kind, taskId, body, prompt, system, apiKey, receivedAt: Date.now() };
}

/** The text of a message's content: a string, or its text blocks and tool results in order. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return JSON.stringify(content);
  return content
    .map((block: { type?: string; text?: string; content?: unknown }) =>
      block.type === 'text' ? block.text : block.type === 'tool_result' ? contentText(block.content) : JSON.stringify(block),
    )
    .join('\n\n');
}

async function respond(reply: Reply, body: RecordedRequest['body'], res: ServerResponse): Promise<void> {
  if ('hang' in reply) return; // never answers; the client's timeout or cancellation ends it
  if ('reset' in reply) {
    res.socket?.destroy();
    return;
  }
  if ('delayMs' in reply && reply.delayMs) await sleep(reply.delayMs);
  if ('status' in reply) return sendError(res, reply.status, reply.errorType ?? 'api_error', reply.message ?? `injected ${reply.status}`, reply.headers);

  const usage = 'usage' in reply && reply.usage ? reply.usage : { input: 10, output: 20 };
  const stopReason = 'stopReason' in reply && reply.stopReason ? reply.stopReason : 'tool' in reply || 'toolRaw' in reply ? 'tool_use' : 'end_turn';
  const blocks: Array<{ start: object; deltas: object[] }> = [];
  if ('text' in reply) blocks.push({ start: { type: 'text', text: '' }, deltas: chunks(reply.text).map((text) => ({ type: 'text_delta', text })) });
  if ('tool' in reply || 'toolRaw' in reply) {
    const name = 'tool' in reply ? reply.tool.name : reply.toolRaw.name;
    const json = 'tool' in reply ? JSON.stringify(reply.tool.input) : reply.toolRaw.json;
    blocks.push({
      start: { type: 'tool_use', id: `toolu_${Math.random().toString(36).slice(2, 10)}`, name, input: {} },
      deltas: chunks(json).map((partial_json) => ({ type: 'input_json_delta', partial_json })),
    });
  }

  if (!body.stream) {
    // Non-streaming callers get the assembled message.
    const content = blocks.map((b) => {
      const start = b.start as { type: string };
      if (start.type === 'text') return { type: 'text', text: (b.deltas as Array<{ text: string }>).map((d) => d.text).join('') };
      return { ...start, input: JSON.parse((b.deltas as Array<{ partial_json: string }>).map((d) => d.partial_json).join('')) };
    });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(message(body.model, content, stopReason, usage)));
    return;
  }

  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const send = (event: string, data: object) => res.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`);
  send('message_start', { message: message(body.model, [], null, { ...usage, output: 1 }) });
  let sentChars = 0;
  for (const [index, block] of blocks.entries()) {
    send('content_block_start', { index, content_block: block.start });
    for (const delta of block.deltas) {
      if ('cutStream' in reply && sentChars > reply.text.length / 2) {
        // The connection drops in the middle of the answer: once what was sent has left, so the
        // client really holds half an answer (destroying at once would look like a reset).
        res.write('', () => res.socket?.destroy());
        return;
      }
      send('content_block_delta', { index, delta });
      sentChars += JSON.stringify(delta).length;
    }
    send('content_block_stop', { index });
  }
  send('message_delta', { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: usage.output } });
  send('message_stop', {});
  res.end();
}

function message(model: string, content: object[], stopReason: string | null, usage: ReplyUsage) {
  return {
    id: `msg_${Math.random().toString(36).slice(2, 12)}`,
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    usage: { input_tokens: usage.input, output_tokens: usage.output, cache_read_input_tokens: usage.cacheRead ?? 0, cache_creation_input_tokens: usage.cacheWrite ?? 0 },
  };
}

function sendError(res: ServerResponse, status: number, type: string, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ type: 'error', error: { type, message } }));
}

function chunks(text: string, size = 4096): string[] {
  if (text.length === 0) return [''];
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function countTasks(prompt: string): number {
  return (prompt.match(/### /g) ?? []).length;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function bearer(value: string | undefined): string | undefined {
  return value?.startsWith('Bearer ') ? value.slice('Bearer '.length) : undefined;
}


export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
