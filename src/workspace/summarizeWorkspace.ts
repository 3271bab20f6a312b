// What the planner is told about the workspace it plans for: the file tree as git sees it (the
// first 2,000 files by path, then file counts per folder), sizes, languages, and the opening of
// the README, so "review this project" can be split by module, each task owning real paths.
// Bounded in every direction: files walked, lines listed, characters returned.
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { walkFolders } from './walkFiles';
import type { Workspace } from './workspace';

export const SUMMARY_LIMITS = { listedFiles: 2000, walkedFiles: 50_000, readmeChars: 3000, summaryChars: 120_000 } as const;

const LANGUAGES: Record<string, string> = {
  '.ts': 'TypeScript', '.tsx': 'TypeScript', '.mts': 'TypeScript', '.cts': 'TypeScript', '.js': 'JavaScript', '.jsx': 'JavaScript', '.mjs': 'JavaScript', '.cjs': 'JavaScript',
  '.py': 'Python', '.go': 'Go', '.rs': 'Rust', '.java': 'Java', '.kt': 'Kotlin', '.rb': 'Ruby', '.php': 'PHP', '.cs': 'C#', '.c': 'C', '.h': 'C', '.cpp': 'C++', '.hpp': 'C++',
  '.swift': 'Swift', '.scala': 'Scala', '.sh': 'Shell', '.sql': 'SQL', '.md': 'Markdown', '.json': 'JSON', '.yaml': 'YAML', '.yml': 'YAML', '.toml': 'TOML', '.html': 'HTML', '.css': 'CSS',
};

export interface WorkspaceOverview {
  text: string;
  files: number;
  bytes: number;
}

export async function summarizeWorkspace(ws: Workspace): Promise<WorkspaceOverview> {
  const listed: string[] = [];
  const unlisted = new Map<string, number>();
  const languages = new Map<string, { files: number; bytes: number }>();
  let files = 0;
  let bytes = 0;
  let stopped = false;
  walk: for await (const folder of walkFolders(ws)) {
    for (const file of folder.files) {
      if (files >= SUMMARY_LIMITS.walkedFiles) {
        stopped = true;
        break walk;
      }
      files++;
      bytes += file.bytes;
      const language = LANGUAGES[extname(file.path).toLowerCase()] ?? 'other';
      const seen = languages.get(language) ?? { files: 0, bytes: 0 };
      languages.set(language, { files: seen.files + 1, bytes: seen.bytes + file.bytes });
      if (listed.length < SUMMARY_LIMITS.listedFiles) listed.push(`${file.path} (${file.bytes} B)`);
      else unlisted.set(folder.path, (unlisted.get(folder.path) ?? 0) + 1);
    }
  }
  const byUse = [...languages].sort((a, b) => b[1].bytes - a[1].bytes).map(([name, s]) => `${name} ${s.files} files (${s.bytes} B)`);
  const parts = [
    `# Workspace ${ws.root}`,
    `${files} files, ${bytes} bytes${stopped ? ` (counting stopped at ${SUMMARY_LIMITS.walkedFiles} files)` : ''}; .gitignore honoured`,
    `Languages: ${byUse.join(', ') || 'none'}`,
    `## Files${unlisted.size > 0 ? ` (the first ${SUMMARY_LIMITS.listedFiles})` : ''}\n${listed.join('\n') || '(none)'}`,
  ];
  if (unlisted.size > 0) parts.push(`## More files, counted per folder\n${[...unlisted].map(([folder, n]) => `${folder}/: ${n} more files`).join('\n')}`);
  const readme = await readmeOpening(ws);
  if (readme) parts.push(`## ${readme.name} (opening)\n${readme.text}`);
  const summary = parts.join('\n\n');
  const text = summary.length <= SUMMARY_LIMITS.summaryChars ? summary : `${summary.slice(0, SUMMARY_LIMITS.summaryChars)}\n[… summary cut at ${SUMMARY_LIMITS.summaryChars} characters]`;
  return { text, files, bytes };
}

async function readmeOpening(ws: Workspace): Promise<{ name: string; text: string } | undefined> {
  for (const name of ['README.md', 'README', 'README.txt', 'readme.md', 'README.rst']) {
    const text = await readFile(join(ws.root, name), 'utf8').catch(() => undefined);
    if (text !== undefined) return { name, text: text.length > SUMMARY_LIMITS.readmeChars ? `${text.slice(0, SUMMARY_LIMITS.readmeChars)}\n[…]` : text };
  }
  return undefined;
}
