// The files of a workspace, as git would see them: .gitignore files (at the root and in every
// folder) are honoured, `.git` is skipped, and symbolic links are not followed (a link could
// lead out, or round in a loop). Breadth-first, so a capped walk sees the top of the tree first.
import ignore, { type Ignore } from 'ignore';
import { opendir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Workspace } from './workspace';

export interface WalkedFile {
  /** Relative to the workspace, with "/" separators. */
  path: string;
  bytes: number;
}

export interface WalkedFolder {
  path: string;
  files: WalkedFile[];
}

/** Folders one at a time, each with its (non-ignored) files; stop iterating to stop the walk. */
export async function* walkFolders(ws: Workspace, start = ws.root): AsyncGenerator<WalkedFolder> {
  const queue: Array<{ dir: string; rules: Array<{ base: string; ig: Ignore }> }> = [{ dir: start, rules: await inheritedRules(ws, start) }];
  while (queue.length > 0) {
    const { dir, rules: parentRules } = queue.shift()!;
    const rel = ws.display(dir);
    const own = await rulesIn(dir, rel);
    const rules = own ? [...parentRules, own] : parentRules;
    const files: WalkedFile[] = [];
    const handle = await opendir(dir).catch(() => undefined);
    if (!handle) continue;
    const entries = [];
    for await (const entry of handle) entries.push(entry);
    // Code-point order: the same on every machine, whatever its locale.
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.isSymbolicLink() || entry.name === '.git') continue;
      const path = rel === '.' ? entry.name : `${rel}/${entry.name}`;
      if (isIgnored(rules, path, entry.isDirectory())) continue;
      if (entry.isDirectory()) queue.push({ dir: join(dir, entry.name), rules });
      else if (entry.isFile()) files.push({ path, bytes: await sizeOf(join(dir, entry.name)) });
    }
    yield { path: rel, files };
  }
}

async function sizeOf(file: string): Promise<number> {
  return (await stat(file).catch(() => ({ size: 0 }))).size;
}

/** The .gitignore of one folder, if it has one; its patterns are relative to that folder. */
async function rulesIn(dir: string, rel: string): Promise<{ base: string; ig: Ignore } | undefined> {
  const text = await readFile(join(dir, '.gitignore'), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : { base: rel === '.' ? '' : `${rel}/`, ig: ignore().add(text) };
}

/** Rules of the folders above `start` (when a walk begins below the root). */
async function inheritedRules(ws: Workspace, start: string): Promise<Array<{ base: string; ig: Ignore }>> {
  const rel = ws.display(start);
  if (rel === '.') return [];
  const parts = rel.split('/');
  const rules: Array<{ base: string; ig: Ignore }> = [];
  for (let i = 0; i < parts.length; i++) {
    const folder = i === 0 ? '.' : parts.slice(0, i).join('/');
    const found = await rulesIn(join(ws.root, ...(folder === '.' ? [] : folder.split('/'))), folder);
    if (found) rules.push(found);
  }
  return rules;
}

function isIgnored(rules: Array<{ base: string; ig: Ignore }>, path: string, isDir: boolean): boolean {
  return rules.some(({ base, ig }) => path.startsWith(base) && ig.ignores(`${path.slice(base.length)}${isDir ? '/' : ''}`));
}
