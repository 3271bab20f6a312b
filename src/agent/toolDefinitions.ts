// The built-in tools as the model sees them: names, descriptions and input schemas. The names and
// input fields are a contract (plans name them in `tools`; MCP users know them).
import type Anthropic from '@anthropic-ai/sdk';
import type { AgentToolName } from '../plan/schema';

export const TOOL_DEFINITIONS: Record<AgentToolName, Anthropic.Tool> = {
  list_files: {
    name: 'list_files',
    description: 'List the files of the workspace whose path matches a glob (e.g. "src/**/*.ts"), as git sees them (.gitignore honoured), with their sizes.',
    input_schema: { type: 'object', properties: { pattern: { type: 'string', description: 'glob relative to the workspace root; default "**/*"' } } },
  },
  read_file: {
    name: 'read_file',
    description: 'Read a text file of the workspace, with line numbers. Give startLine and endLine to read part of a long file.',
    input_schema: {
      type: 'object',
      properties: { path: { type: 'string', description: 'relative to the workspace root' }, startLine: { type: 'integer', minimum: 1 }, endLine: { type: 'integer', minimum: 1 } },
      required: ['path'],
    },
  },
  search: {
    name: 'search',
    description: 'Find the lines of the workspace\'s text files that match a regular expression (RE2 syntax); answers path:line: text.',
    input_schema: {
      type: 'object',
      properties: { pattern: { type: 'string' }, path: { type: 'string', description: 'a folder or file to search in; default the whole workspace' } },
      required: ['pattern'],
    },
  },
  write_file: {
    name: 'write_file',
    description: 'Create or replace a file of the workspace with the given content.',
    input_schema: { type: 'object', properties: { path: { type: 'string' }, content: { type: 'string' } }, required: ['path', 'content'] },
  },
  edit_file: {
    name: 'edit_file',
    description: 'Change a file by exact replacements: each oldText must occur exactly once in the file.',
    input_schema: {
      type: 'object',
      properties: {
        path: { type: 'string' },
        edits: { type: 'array', items: { type: 'object', properties: { oldText: { type: 'string' }, newText: { type: 'string' } }, required: ['oldText', 'newText'] } },
      },
      required: ['path', 'edits'],
    },
  },
  run_command: {
    name: 'run_command',
    description: 'Run a program in the workspace (argv, no shell) and get its exit code, output and the end of its error output.',
    input_schema: { type: 'object', properties: { argv: { type: 'array', items: { type: 'string' }, minItems: 1 } }, required: ['argv'] },
  },
};

/** One line for people: the tool and its main argument. */
export function toolSummary(name: string, input: unknown): string {
  const i = (input ?? {}) as Record<string, unknown>;
  const arg = name === 'run_command' && Array.isArray(i.argv) ? i.argv.join(' ') : (i.path ?? i.pattern ?? '');
  const text = `${name} ${typeof arg === 'string' ? arg : JSON.stringify(arg)}`.trim();
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}
