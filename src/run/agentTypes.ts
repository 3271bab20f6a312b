// What the agent loop's workflow and activities hand each other: references to the conversation
// in the result store, the tool calls of a turn (by id, with a one-line summary), and the results
// (by reference). History carries these, never the conversation itself. Pure types.
import type { AgentToolName, McpServers, Task } from '../plan/schema';
import type { Patience, PriceTable, TaskOutcome, UpstreamOutput, Usage } from './types';

export interface AgentTaskInput {
  task: Task;
  goal?: string;
  model?: string;
  upstream: UpstreamOutput[];
  prices?: PriceTable;
  ancestors?: string[];
  inherited?: UpstreamOutput[];
  /** The folder the tools work in, on the workers. */
  workdir: string;
  tools: AgentToolName[];
  /** MCP servers whose tools the agent gets too (as SERVER__tool). */
  mcpServers?: McpServers;
  maxTurns: number;
  /** Activity settings, as the parent run has them. */
  timeout: string;
  heartbeatTimeout: string;
  retryInitialInterval: string;
  maxAttempts: number;
  /** The skill queue's Temporal task queue its model turns and tool calls go to; default: this workflow's. */
  activityQueue?: string;
  /** The parent run, told of each turn for its live table. */
  parentWorkflowId?: string;
  /** How model turns ride out provider trouble; absent in runs from before. */
  patience?: Patience;
}

export interface AgentToolCall {
  id: string;
  name: string;
  /** One line for people: `read_file src/llm/callModel.ts`. */
  summary: string;
}

export interface AgentToolResult {
  id: string;
  /** The result text in the result store. */
  resultRef: string;
  isError: boolean;
  /** A file the tool read, for the report. */
  readPath?: string;
}

export interface AgentTurnInput extends Omit<AgentTaskInput, 'maxTurns' | 'timeout' | 'heartbeatTimeout' | 'retryInitialInterval' | 'maxAttempts' | 'parentWorkflowId'> {
  turn: number;
  /** The conversation after the previous turn; absent on turn 1. */
  conversationRef?: string;
  /** The previous turn's tool results, to append before calling the model. */
  toolResults: AgentToolResult[];
  /** The last turn allowed: the model must answer without tools. */
  lastTurn: boolean;
}

export interface AgentTurnOutcome {
  conversationRef: string;
  toolCalls: AgentToolCall[];
  usage: Usage;
  /** Set when the model answered without calling a tool: the task's output. */
  final?: TaskOutcome;
}

export interface AgentToolInput {
  conversationRef: string;
  call: AgentToolCall;
  workdir: string;
  tools: AgentToolName[];
  mcpServers?: McpServers;
  taskId: string;
  turn: number;
}

/** Sent by an agent task to its run for the live table: `turn 4 · read_file src/x.ts`. */
export interface AgentProgressNotice {
  taskId: string;
  activity: string;
}
