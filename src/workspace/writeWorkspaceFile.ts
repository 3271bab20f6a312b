// write_file({ path, content }) and edit_file({ path, edits: [{ oldText, newText }] }): the two
// tools that change the workspace, given to an agent only when its run allows writes. Edits are
// exact replacements of text that occurs once, so a model cannot change more than it quoted.
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { randomUUID } from 'node:crypto';
import { isBinary, MAX_READ_FILE_BYTES } from './readWorkspaceFile';
import { ToolError, type Workspace } from './workspace';

export async function writeWorkspaceFile(ws: Workspace, input: { path?: unknown; content?: unknown }): Promise<string> {
  if (typeof input.content !== 'string') throw new ToolError('content must be a string');
  if (Buffer.byteLength(input.content) > MAX_READ_FILE_BYTES) throw new ToolError(`content is over ${MAX_READ_FILE_BYTES} bytes`);
  const path = await ws.resolve(input.path as string);
  if ((await stat(path).catch(() => undefined))?.isDirectory()) throw new ToolError(`${ws.display(path)} is a folder`);
  await mkdir(dirname(path), { recursive: true });
  await replaceFile(path, input.content);
  return `wrote ${ws.display(path)} (${Buffer.byteLength(input.content)} bytes)`;
}

export async function editWorkspaceFile(ws: Workspace, input: { path?: unknown; edits?: unknown }): Promise<string> {
  const path = await ws.resolve(input.path as string);
  const shown = ws.display(path);
  if (!Array.isArray(input.edits) || input.edits.length === 0) throw new ToolError('edits must be a non-empty list of { oldText, newText }');
  const bytes = await readFile(path).catch(() => undefined);
  if (!bytes) throw new ToolError(`${shown} does not exist; use write_file to create it`);
  if (isBinary(bytes)) throw new ToolError(`${shown} is a binary file`);
  let text = bytes.toString('utf8');
  input.edits.forEach((edit: unknown, i) => {
    const { oldText, newText } = (edit ?? {}) as { oldText?: unknown; newText?: unknown };
    if (typeof oldText !== 'string' || oldText.length === 0 || typeof newText !== 'string') throw new ToolError(`edits[${i}] needs oldText (non-empty) and newText, both strings`);
    const at = text.indexOf(oldText);
    if (at < 0) throw new ToolError(`edits[${i}]: oldText was not found in ${shown}; read the file again and quote it exactly`);
    if (text.indexOf(oldText, at + 1) >= 0) throw new ToolError(`edits[${i}]: oldText occurs more than once in ${shown}; quote more of the surrounding text`);
    text = text.slice(0, at) + newText + text.slice(at + oldText.length);
  });
  await replaceFile(path, text);
  return `edited ${shown} (${input.edits.length} edit${input.edits.length === 1 ? '' : 's'})`;
}

/** Write then rename: a crash mid-write never leaves half a file. */
async function replaceFile(path: string, text: string): Promise<void> {
  const temp = `${path}.${randomUUID()}.tmp`;
  await writeFile(temp, text, 'utf8');
  await rename(temp, path);
}
