// A task's workspace: one folder that an agent's tools may read (and, when allowed, write), and
// nothing outside it. Every path a model gives is resolved here; `..`, absolute paths elsewhere
// and symlinks that lead out are refused as tool errors the model sees.
import { realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';

/** A tool call that cannot be done as asked: the model is told why and may try again. */
export class ToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolError';
  }
}

export class Workspace {
  private constructor(
    /** The folder, with symlinks resolved. */
    readonly root: string,
  ) {}

  static async open(folder: string): Promise<Workspace> {
    const root = await realpath(resolve(folder)).catch(() => undefined);
    if (!root || !(await stat(root)).isDirectory()) throw new Error(`workspace ${folder} does not exist or is not a directory`);
    return new Workspace(root);
  }

  /** The path relative to the workspace, as tools show it ("." for the root). */
  display(absolute: string): string {
    return relative(this.root, absolute).split(sep).join('/') || '.';
  }

  /**
   * The absolute path of `path` (relative to the workspace, or absolute inside it), checked to
   * stay inside after symlinks are followed. A path that does not exist yet (a file to write) is
   * checked through its nearest existing folder.
   */
  async resolve(path: string): Promise<string> {
    if (typeof path !== 'string' || path.length === 0) throw new ToolError('path must be a non-empty string');
    if (path.includes('\0')) throw new ToolError('path must not contain a NUL character');
    const lexical = isAbsolute(path) ? resolve(path) : resolve(this.root, path);
    if (!this.contains(lexical)) throw new ToolError(`${path} is outside the workspace; paths are relative to the workspace root`);
    let existing = lexical;
    let rest = '';
    for (;;) {
      const real = await realpath(existing).catch(() => undefined);
      if (real !== undefined) {
        if (!this.contains(real)) throw new ToolError(`${path} leads outside the workspace through a symbolic link`);
        return rest ? resolve(real, rest) : real;
      }
      const parent = dirname(existing);
      if (parent === existing) throw new ToolError(`${path} is outside the workspace`);
      rest = rest ? `${existing.slice(parent.length + 1)}${sep}${rest}` : existing.slice(parent.length + 1);
      existing = parent;
    }
  }

  private contains(path: string): boolean {
    return path === this.root || path.startsWith(this.root + sep);
  }
}
