// list_files({ pattern }): the workspace's files whose path matches a glob ("src/**/*.ts"),
// as git would list them, with their sizes; capped so a huge tree cannot flood the context.
import picomatch from 'picomatch';
import { walkFolders } from './walkFiles';
import { ToolError, type Workspace } from './workspace';

export const MAX_LISTED_FILES = 500;

export async function listFiles(ws: Workspace, input: { pattern?: unknown }): Promise<string> {
  const pattern = input.pattern === undefined ? '**/*' : input.pattern;
  if (typeof pattern !== 'string' || pattern.length === 0 || pattern.length > 500) throw new ToolError('pattern must be a glob of 1 to 500 characters, e.g. "src/**/*.ts"');
  const matches = picomatch(pattern, { dot: true });
  const lines: string[] = [];
  let more = 0;
  for await (const folder of walkFolders(ws)) {
    for (const file of folder.files) {
      if (!matches(file.path)) continue;
      if (lines.length < MAX_LISTED_FILES) lines.push(`${file.path} (${file.bytes} bytes)`);
      else more++;
    }
  }
  if (lines.length === 0) return `no file matches ${pattern}`;
  return more > 0 ? `${lines.join('\n')}\n[… ${more} more files match; narrow the pattern]` : lines.join('\n');
}
