// read_file({ path, startLine?, endLine? }): a text file of the workspace with line numbers, or
// the lines asked for. Binary files and files too large to read are refused with a tool error.
import { open, stat } from 'node:fs/promises';
import { ToolError, type Workspace } from './workspace';

/** Larger files are refused outright: search them, or read another file. */
export const MAX_READ_FILE_BYTES = 10 * 1024 * 1024;
/** What one read returns at most; the model can ask for the next lines. */
export const MAX_READ_LINES = 2000;
export const MAX_READ_CHARS = 100_000;

export async function readWorkspaceFile(ws: Workspace, input: { path?: unknown; startLine?: unknown; endLine?: unknown }): Promise<string> {
  const path = await ws.resolve(input.path as string);
  const shown = ws.display(path);
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new ToolError(`${shown} does not exist`);
  if (info.isDirectory()) throw new ToolError(`${shown} is a folder; use list_files to see what is in it`);
  if (info.size > MAX_READ_FILE_BYTES) throw new ToolError(`${shown} is ${info.size} bytes, over the ${MAX_READ_FILE_BYTES}-byte limit; use search to find what you need in it`);
  const bytes = await readAll(path, info.size);
  if (isBinary(bytes)) throw new ToolError(`${shown} is a binary file; only text files can be read`);
  const lines = bytes.toString('utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  const start = lineNumber(input.startLine, 'startLine') ?? 1;
  const end = Math.min(lineNumber(input.endLine, 'endLine') ?? lines.length, lines.length, start + MAX_READ_LINES - 1);
  if (start > lines.length && lines.length > 0) throw new ToolError(`${shown} has ${lines.length} lines; startLine ${start} is past its end`);
  let out = '';
  let line = start;
  for (; line <= end; line++) {
    const next = `${String(line).padStart(6)}\t${lines[line - 1]}\n`;
    if (out.length + next.length > MAX_READ_CHARS) break;
    out += next;
  }
  const last = line - 1;
  const note = last < lines.length ? `[${shown}: lines ${start}-${last} of ${lines.length}; read on with startLine ${last + 1}]` : `[${shown}: lines ${start}-${last} of ${lines.length}]`;
  return `${out}${note}`;
}

function lineNumber(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new ToolError(`${name} must be a whole number of 1 or more`);
  return value;
}

async function readAll(path: string, size: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(size);
    const { bytesRead } = await handle.read(buffer, 0, size, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** A NUL byte in the first 8 KB: how git tells binary from text. */
export function isBinary(bytes: Buffer): boolean {
  return bytes.subarray(0, 8192).includes(0);
}
