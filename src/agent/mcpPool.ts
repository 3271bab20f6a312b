// MCP servers for agent tasks: each server a worker is asked for is started once (stdio), kept,
// and closed with the worker. An agent sees server NAME's tool `t` as `NAME__t`. Servers start
// with the environment rules of shell tasks (the worker's allow-list) plus their own `env`.
import type Anthropic from '@anthropic-ai/sdk';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { McpServers } from '../plan/schema';
import { ToolError } from '../workspace/workspace';

type McpServer = McpServers[string];

const SEPARATOR = '__';
/** Tool results from a server are cut here, like the built-in tools' answers. */
const RESULT_CHARS = 100_000;

export function mcpToolName(server: string, tool: string): string {
  return `${server}${SEPARATOR}${tool}`;
}

export function parseMcpToolName(name: string): { server: string; tool: string } | undefined {
  const at = name.indexOf(SEPARATOR);
  return at > 0 ? { server: name.slice(0, at), tool: name.slice(at + SEPARATOR.length) } : undefined;
}

/** One server per name and spec: a changed spec is a different server. */
function keyOf(name: string, spec: McpServer): string {
  return JSON.stringify([name, spec]);
}

export class McpPool {
  private readonly clients = new Map<string, Promise<Client>>();
  /** A server's tools, asked once: every turn of every agent offers them again. */
  private readonly toolLists = new Map<string, Promise<Anthropic.Tool[]>>();

  constructor(private readonly baseEnv: NodeJS.ProcessEnv) {}

  /** The tools of every server named, as the model sees them. */
  async tools(servers: McpServers): Promise<Anthropic.Tool[]> {
    const lists = await Promise.all(Object.entries(servers).map(([name, spec]) => this.toolsOf(name, spec)));
    return lists.flat();
  }

  private toolsOf(name: string, spec: McpServer): Promise<Anthropic.Tool[]> {
    const key = keyOf(name, spec);
    let list = this.toolLists.get(key);
    if (!list) {
      list = this.client(name, spec).then(async (client) =>
        (await client.listTools()).tools.map((t): Anthropic.Tool => ({ name: mcpToolName(name, t.name), description: t.description ?? t.name, input_schema: t.inputSchema as Anthropic.Tool.InputSchema })),
      );
      list.catch(() => this.toolLists.delete(key));
      this.toolLists.set(key, list);
    }
    return list;
  }

  /** One tool call; a server that reports an error answers as a tool error the model sees. */
  async call(servers: McpServers, name: string, input: unknown): Promise<{ text: string; isError: boolean }> {
    const parsed = parseMcpToolName(name);
    const spec = parsed && servers[parsed.server];
    if (!parsed || !spec) throw new ToolError(`${name} is not a tool of this task`);
    const result = await (await this.client(parsed.server, spec)).callTool({ name: parsed.tool, arguments: (input ?? {}) as Record<string, unknown> });
    const content = (result.content ?? []) as Array<{ type: string; text?: string }>;
    const text = content.map((c) => (c.type === 'text' ? (c.text ?? '') : `[${c.type} content]`)).join('\n');
    return { text: text.length > RESULT_CHARS ? `${text.slice(0, RESULT_CHARS)}\n[… cut]` : text, isError: result.isError === true };
  }

  async close(): Promise<void> {
    const clients = await Promise.allSettled([...this.clients.values()]);
    this.clients.clear();
    this.toolLists.clear();
    await Promise.all(clients.map((c) => (c.status === 'fulfilled' ? c.value.close().catch(() => undefined) : undefined)));
  }

  private client(name: string, spec: McpServer): Promise<Client> {
    const key = keyOf(name, spec);
    let client = this.clients.get(key);
    if (!client) {
      client = this.connect(name, spec);
      // A server that failed to start is tried again next time, not remembered as broken.
      client.catch(() => this.clients.delete(key));
      this.clients.set(key, client);
    }
    return client;
  }

  private async connect(name: string, spec: McpServer): Promise<Client> {
    // Loaded only when a run names an MCP server: the SDK costs ~130 ms at every worker start otherwise.
    const [{ Client }, { StdioClientTransport }] = await Promise.all([import('@modelcontextprotocol/sdk/client/index.js'), import('@modelcontextprotocol/sdk/client/stdio.js')]);
    const env = Object.fromEntries(Object.entries({ ...this.baseEnv, ...spec.env }).filter((e): e is [string, string] => typeof e[1] === 'string'));
    const transport = new StdioClientTransport({ command: spec.command, args: spec.args ?? [], env, stderr: 'ignore' });
    const client = new Client({ name: 'dagent', version: '1' });
    try {
      await client.connect(transport);
    } catch (err) {
      throw new Error(`MCP server ${name} (${spec.command}) did not start: ${(err as Error).message}`);
    }
    return client;
  }
}
