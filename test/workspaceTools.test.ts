// The workspace an agent's tools see: confined to one folder (no `..`, absolute path or symlink
// leads out), git's view of the tree, text only, bounded answers. Real files in a temporary folder.
import { mkdir, mkdtemp, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFiles } from '../src/workspace/listFiles';
import { readWorkspaceFile } from '../src/workspace/readWorkspaceFile';
import { searchWorkspace } from '../src/workspace/searchWorkspace';
import { summarizeWorkspace } from '../src/workspace/summarizeWorkspace';
import { ToolError, Workspace } from '../src/workspace/workspace';
import { editWorkspaceFile, writeWorkspaceFile } from '../src/workspace/writeWorkspaceFile';

const INDEX_TS = 'export const answer = 42;\nexport function hello() {\n  return "hello";\n}\n';
const CALL_MODEL_TS = '// calls the model\nconst timeoutMs = 600_000;\n';
const bytes = (text: string) => Buffer.byteLength(text);

let outside: string;
let root: string;
let ws: Workspace;

beforeAll(async () => {
  outside = await mkdtemp(join(tmpdir(), 'dagent-ws-'));
  root = join(outside, 'repo');
  await mkdir(join(root, 'src', 'llm'), { recursive: true });
  await mkdir(join(root, 'dist'), { recursive: true });
  await writeFile(join(root, '.gitignore'), 'dist/\n*.log\n');
  await writeFile(join(root, 'README.md'), '# Demo\nA project to review.\n');
  await writeFile(join(root, 'src', 'index.ts'), INDEX_TS);
  await writeFile(join(root, 'src', 'llm', 'callModel.ts'), CALL_MODEL_TS);
  await writeFile(join(root, 'src', 'llm', '.gitignore'), 'generated.ts\n');
  await writeFile(join(root, 'src', 'llm', 'generated.ts'), 'const ignored = true;\n');
  await writeFile(join(root, 'dist', 'index.js'), 'exports.answer = 42;\n');
  await writeFile(join(root, 'debug.log'), 'secret log\n');
  await writeFile(join(root, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d]));
  await writeFile(join(root, 'huge.txt'), '');
  await truncate(join(root, 'huge.txt'), 50 * 1024 * 1024);
  await writeFile(join(outside, 'secret.txt'), 'outside the workspace\n');
  await symlink(join(outside, 'secret.txt'), join(root, 'link-out.txt'));
  await symlink(outside, join(root, 'dir-out'));
  ws = await Workspace.open(root);
});
afterAll(async () => rm(outside, { recursive: true, force: true }));

const toolError = (p: Promise<unknown>) => p.then(() => 'no error', (e: unknown) => (e instanceof ToolError ? e.message : `not a ToolError: ${String(e)}`));

describe('list_files', () => {
  it("lists matching files as git sees them (.gitignore at every level), not following links", async () => {
    const all = await listFiles(ws, { pattern: '**/*' });
    expect(all.split('\n').map((l) => l.split(' ')[0])).toEqual(['.gitignore', 'README.md', 'huge.txt', 'logo.png', 'src/index.ts', 'src/llm/.gitignore', 'src/llm/callModel.ts']);
    expect(await listFiles(ws, { pattern: 'src/**/*.ts' })).toBe(`src/index.ts (${bytes(INDEX_TS)} bytes)\nsrc/llm/callModel.ts (${bytes(CALL_MODEL_TS)} bytes)`);
    expect(await listFiles(ws, { pattern: '*.rs' })).toBe('no file matches *.rs');
  });
});

describe('read_file', () => {
  it('returns numbered lines, a range on request, and says how to read on', async () => {
    expect(await readWorkspaceFile(ws, { path: 'src/index.ts' })).toBe(
      '     1\texport const answer = 42;\n     2\texport function hello() {\n     3\t  return "hello";\n     4\t}\n[src/index.ts: lines 1-4 of 4]',
    );
    expect(await readWorkspaceFile(ws, { path: 'src/index.ts', startLine: 2, endLine: 3 })).toBe('     2\texport function hello() {\n     3\t  return "hello";\n[src/index.ts: lines 2-3 of 4; read on with startLine 4]');
  });

  it('refuses paths that leave the workspace: .., absolute paths, symlinks to a file or a folder outside', async () => {
    expect(await toolError(readWorkspaceFile(ws, { path: '../secret.txt' }))).toBe('../secret.txt is outside the workspace; paths are relative to the workspace root');
    expect(await toolError(readWorkspaceFile(ws, { path: join(outside, 'secret.txt') }))).toContain('is outside the workspace');
    expect(await toolError(readWorkspaceFile(ws, { path: 'link-out.txt' }))).toBe('link-out.txt leads outside the workspace through a symbolic link');
    expect(await toolError(readWorkspaceFile(ws, { path: 'dir-out/secret.txt' }))).toBe('dir-out/secret.txt leads outside the workspace through a symbolic link');
    expect(await toolError(readWorkspaceFile(ws, { path: 'src/../../secret.txt' }))).toContain('is outside the workspace');
  });

  it('refuses a 50 MB file, a binary file, a folder and a missing file with errors the model can act on', async () => {
    expect(await toolError(readWorkspaceFile(ws, { path: 'huge.txt' }))).toBe('huge.txt is 52428800 bytes, over the 10485760-byte limit; use search to find what you need in it');
    expect(await toolError(readWorkspaceFile(ws, { path: 'logo.png' }))).toBe('logo.png is a binary file; only text files can be read');
    expect(await toolError(readWorkspaceFile(ws, { path: 'src' }))).toBe('src is a folder; use list_files to see what is in it');
    expect(await toolError(readWorkspaceFile(ws, { path: 'nope.ts' }))).toBe('nope.ts does not exist');
    expect(await toolError(readWorkspaceFile(ws, { path: 'src/index.ts', startLine: 0 }))).toBe('startLine must be a whole number of 1 or more');
  });
});

describe('search', () => {
  it('finds lines by regular expression in text files, skipping ignored, binary and huge files', async () => {
    expect(await searchWorkspace(ws, { pattern: 'answer' })).toBe('src/index.ts:1: export const answer = 42;');
    expect(await searchWorkspace(ws, { pattern: 'timeout\\w+', path: 'src/llm' })).toBe('src/llm/callModel.ts:2: const timeoutMs = 600_000;');
    expect(await searchWorkspace(ws, { pattern: '^(a+)+$' })).toBe('no line matches ^(a+)+$');
    expect(await toolError(searchWorkspace(ws, { pattern: '(?=x)' }))).toContain('RE2 syntax, no look-arounds');
    expect(await toolError(searchWorkspace(ws, { pattern: 'x', path: '../' }))).toContain('is outside the workspace');
  });
});

describe('write_file and edit_file', () => {
  it('write inside the workspace, edit by exact unique quotes, and refuse anything outside', async () => {
    expect(await writeWorkspaceFile(ws, { path: 'notes/review.md', content: 'first\nsecond\n' })).toBe('wrote notes/review.md (13 bytes)');
    expect(await editWorkspaceFile(ws, { path: 'notes/review.md', edits: [{ oldText: 'second', newText: ' 2nd' }] })).toBe('edited notes/review.md (1 edit)');
    expect(await readFile(join(root, 'notes', 'review.md'), 'utf8')).toBe('first\n 2nd\n');
    expect(await toolError(editWorkspaceFile(ws, { path: 'notes/review.md', edits: [{ oldText: 'third', newText: 'x' }] }))).toContain('oldText was not found');
    await writeWorkspaceFile(ws, { path: 'twice.txt', content: 'a a' });
    expect(await toolError(editWorkspaceFile(ws, { path: 'twice.txt', edits: [{ oldText: 'a', newText: 'b' }] }))).toContain('occurs more than once');
    expect(await toolError(writeWorkspaceFile(ws, { path: '../escape.txt', content: 'x' }))).toContain('is outside the workspace');
    expect(await toolError(writeWorkspaceFile(ws, { path: 'dir-out/new.txt', content: 'x' }))).toContain('leads outside the workspace through a symbolic link');
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('outside the workspace\n');
  });
});

describe('the workspace summary for the planner', () => {
  it('lists files as git sees them, languages and the README opening', async () => {
    const { text: summary } = await summarizeWorkspace(ws);
    expect(summary).toContain(`src/llm/callModel.ts (${bytes(CALL_MODEL_TS)} B)`);
    expect(summary).toContain(`TypeScript 2 files (${bytes(INDEX_TS) + bytes(CALL_MODEL_TS)} B)`);
    expect(summary).toContain('## README.md (opening)\n# Demo\nA project to review.');
    expect(summary).not.toContain('dist/index.js');
    expect(summary).not.toContain('debug.log');
    expect(summary).not.toContain('generated.ts');
  });

  it('lists the first 2,000 files and counts the rest per folder', async () => {
    const big = join(outside, 'big');
    for (const folder of ['a', 'b']) {
      await mkdir(join(big, folder), { recursive: true });
      await Promise.all(Array.from({ length: 1100 }, (_, i) => writeFile(join(big, folder, `f${String(i).padStart(4, '0')}.ts`), 'x')));
    }
    const { text: summary, files } = await summarizeWorkspace(await Workspace.open(big));
    expect(files).toBe(2200);
    expect(summary).toContain('2200 files, 2200 bytes');
    expect(summary.match(/\(1 B\)/g)).toHaveLength(2000);
    expect(summary).toContain('## More files, counted per folder\nb/: 200 more files');
  });
});
