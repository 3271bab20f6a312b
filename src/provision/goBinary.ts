// A tool dagent needs that is built from Go source (the temporal CLI, the VersityGW S3 server):
// found in $<NAME>_PATH, then PATH, then our cache (~/.cache/dagent/<name>-<version>/), else
// built once with `go install` into that cache. The CLI, the tests and CI all go through here.
import { execFile } from 'node:child_process';
import { access, constants, mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

export interface GoBinary {
  /** The executable's name, e.g. "temporal". */
  name: string;
  /** For messages, e.g. "the Temporal CLI". */
  title: string;
  version: string;
  /** `module/path/cmd/name@version`. */
  goPackage: string;
  /** The variable that names the binary directly, e.g. TEMPORAL_CLI_PATH. */
  pathVariable: string;
  /** The cache folder's name, e.g. "temporal-cli-v1.5.1". */
  cacheName: string;
  /** The typed error each tool's callers match on. */
  missing: (reason: string) => Error;
  /** False for tools with generic names (`server`, `sql`) that PATH might hold something else under. */
  searchPath?: boolean;
}

export interface ProvisionOptions {
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

export function goBinaryCacheDir(binary: GoBinary, env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'dagent', binary.cacheName);
}

/** How to get the tool by hand, for the error of a tool that cannot be found or built. */
export function installHint(binary: GoBinary): string {
  return (
    `Install it in one of these ways, then try again:\n` +
    `  - go install ${binary.goPackage}   (then put $(go env GOPATH)/bin on PATH)\n` +
    `  - download a release and set ${binary.pathVariable} to the binary`
  );
}

export async function provisionGoBinary(binary: GoBinary, options: ProvisionOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const named = env[binary.pathVariable];
  if (named) {
    if (await isExecutable(named)) return named;
    throw binary.missing(`${binary.pathVariable} is ${named}, which is not an executable file`);
  }
  for (const dir of binary.searchPath === false ? [] : (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, binary.name);
    if (await isExecutable(candidate)) return candidate;
  }
  const cacheDir = goBinaryCacheDir(binary, env);
  const cached = join(cacheDir, binary.name);
  if (await isExecutable(cached)) return cached;

  const go = await findGo(env);
  if (!go) throw binary.missing('it is not on PATH, not in the cache, and Go is not available to build it');
  log(`dagent: building ${binary.title} ${binary.version} with \`go install ${binary.goPackage}\` into ${cacheDir} (once; takes a few minutes)…`);
  await mkdir(cacheDir, { recursive: true });
  try {
    await promisify(execFile)(go, ['install', binary.goPackage], { env: { ...env, GOBIN: cacheDir }, maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw binary.missing(`building it with Go failed: ${stderr.trim().split('\n').slice(-5).join(' | ') || (err as Error).message}`);
  }
  if (!(await isExecutable(cached))) throw binary.missing(`go install finished but ${cached} is missing`);
  log(`dagent: built ${cached}`);
  return cached;
}

async function findGo(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const dirs = [...(env.PATH ?? '').split(delimiter).filter(Boolean)];
  if (env.GOROOT) dirs.push(join(env.GOROOT, 'bin'));
  for (const dir of dirs) {
    const candidate = join(dir, 'go');
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
