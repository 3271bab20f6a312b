// One built-in tool call on the workspace. A ToolError (a path outside, a binary file, a call the
// run does not allow) becomes the tool result the model sees, with is_error; anything else is a
// real failure and the activity's retry policy applies.
import { ApplicationFailure, type Context } from '@temporalio/activity';
import type { AgentToolName, McpServers } from '../plan/schema';
import { runProcess } from '../backends/runProcess';
import { listFiles } from '../workspace/listFiles';
import { readWorkspaceFile } from '../workspace/readWorkspaceFile';
import { searchWorkspace } from '../workspace/searchWorkspace';
import { ToolError, Workspace } from '../workspace/workspace';
import { editWorkspaceFile, writeWorkspaceFile } from '../workspace/writeWorkspaceFile';
import { notAllowedMessage } from './allowedTools';
import { parseMcpToolName, type McpPool } from './mcpPool';

export interface ToolRun {
  text: string;
  isError: boolean;
  /** The file read_file read, relative to the workspace. */
  readPath?: string;
}

const OUTPUT_CHARS = 100_000;

export interface ToolRequest {
  name: string;
  input: unknown;
  workdir: string;
  tools: AgentToolName[];
  shellEnv: NodeJS.ProcessEnv;
  mcp: McpPool;
  mcpServers?: McpServers;
}

export async function runAgentTool(ctx: Context, request: ToolRequest): Promise<ToolRun> {
  const { name, tools } = request;
  const input = (request.input ?? {}) as Record<string, unknown>;
  try {
    if (parseMcpToolName(name) && request.mcpServers) return await request.mcp.call(request.mcpServers, name, input);
    if (!(tools as string[]).includes(name)) throw new ToolError(notAllowedMessage(name));
    const ws = await Workspace.open(request.workdir);
    switch (name as AgentToolName) {
      case 'list_files':
        return { text: await listFiles(ws, input), isError: false };
      case 'read_file': {
        const text = await readWorkspaceFile(ws, input);
        return { text, isError: false, readPath: ws.display(await ws.resolve(input.path as string)) };
      }
      case 'search':
        return { text: await searchWorkspace(ws, input), isError: false };
      case 'write_file':
        return { text: await writeWorkspaceFile(ws, input), isError: false };
      case 'edit_file':
        return { text: await editWorkspaceFile(ws, input), isError: false };
      case 'run_command':
        return { text: await runCommand(ctx, ws, input, request.shellEnv), isError: false };
    }
  } catch (err) {
    if (err instanceof ToolError) return { text: err.message, isError: true };
    throw err;
  }
}

/** run_command({ argv }): no shell; the environment rules of shell tasks; output capped. */
async function runCommand(ctx: Context, ws: Workspace, input: Record<string, unknown>, shellEnv: NodeJS.ProcessEnv): Promise<string> {
  const argv = input.argv;
  if (!Array.isArray(argv) || argv.length === 0 || !argv.every((a) => typeof a === 'string')) throw new ToolError('argv must be a non-empty list of strings, e.g. ["npm", "test"]');
  try {
    const result = await runProcess(ctx, { command: argv[0]!, args: argv.slice(1), cwd: ws.root, env: shellEnv, label: 'run_command' });
    const stdout = result.stdout.length > OUTPUT_CHARS ? `${result.stdout.slice(0, OUTPUT_CHARS)}\n[… output cut]` : result.stdout;
    const how = result.exitCode !== null ? `exit code ${result.exitCode}` : `killed by ${result.signal}`;
    return `${how}\n--- output ---\n${stdout}${result.stderrTail.trim() ? `\n--- end of error output ---\n${result.stderrTail.trim()}` : ''}`;
  } catch (err) {
    if (err instanceof ApplicationFailure && err.type === 'BackendMissing') throw new ToolError(`${argv[0]} was not found on the worker's PATH`);
    throw err;
  }
}
