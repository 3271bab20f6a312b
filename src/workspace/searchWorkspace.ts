// search({ pattern, path? }): the lines of the workspace's text files that match a regular
// expression, as `path:line: text`. Patterns run on RE2 (linear time), so no pattern can stall
// the worker; results are capped.
import { readFile, stat } from 'node:fs/promises';
import { RE2JS } from 're2js';
import { isBinary, MAX_READ_FILE_BYTES } from './readWorkspaceFile';
import { walkFolders, type WalkedFile } from './walkFiles';
import { ToolError, type Workspace } from './workspace';

export const MAX_SEARCH_MATCHES = 200;
const MAX_LINE_CHARS = 300;

export async function searchWorkspace(ws: Workspace, input: { pattern?: unknown; path?: unknown }): Promise<string> {
  if (typeof input.pattern !== 'string' || input.pattern.length === 0 || input.pattern.length > 1000) throw new ToolError('pattern must be a regular expression of 1 to 1000 characters');
  let regex: RE2JS;
  try {
    regex = RE2JS.compile(input.pattern);
  } catch (err) {
    throw new ToolError(`pattern is not a regular expression this search supports (RE2 syntax, no look-arounds): ${(err as Error).message}`);
  }
  const found: string[] = [];
  let more = 0;
  for await (const file of filesUnder(ws, input.path)) {
    if (file.bytes > MAX_READ_FILE_BYTES) continue;
    const bytes = await readFile(`${ws.root}/${file.path}`).catch(() => undefined);
    if (!bytes || isBinary(bytes)) continue;
    const lines = bytes.toString('utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (!regex.test(lines[i]!)) continue;
      if (found.length < MAX_SEARCH_MATCHES) found.push(`${file.path}:${i + 1}: ${clipLine(lines[i]!)}`);
      else more++;
    }
  }
  if (found.length === 0) return `no line matches ${input.pattern}`;
  return more > 0 ? `${found.join('\n')}\n[… ${more} more matching lines; narrow the pattern or the path]` : found.join('\n');
}

/** Every file under `path` (a folder or one file), or the whole workspace. */
async function* filesUnder(ws: Workspace, path: unknown): AsyncGenerator<WalkedFile> {
  if (path === undefined || path === null || path === '' || path === '.') {
    for await (const folder of walkFolders(ws)) yield* folder.files;
    return;
  }
  if (typeof path !== 'string') throw new ToolError('path must be a string');
  const absolute = await ws.resolve(path);
  const info = await stat(absolute).catch(() => undefined);
  if (!info) throw new ToolError(`${path} does not exist`);
  if (info.isFile()) {
    yield { path: ws.display(absolute), bytes: info.size };
    return;
  }
  for await (const folder of walkFolders(ws, absolute)) yield* folder.files;
}

function clipLine(line: string): string {
  const trimmed = line.trim();
  return trimmed.length > MAX_LINE_CHARS ? `${trimmed.slice(0, MAX_LINE_CHARS)}…` : trimmed;
}
