// Finds the `temporal` CLI, or builds it once with Go into our cache. The CLI, the tests and CI
// all provision it through this one function.
import { execFile } from 'node:child_process';
import { access, constants, mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

export const TEMPORAL_CLI_VERSION = 'v1.5.1';
// Later tags carry a `replace` directive that `go install` rejects.
const GO_PACKAGE = `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`;

export class TemporalCliMissingError extends Error {
  constructor(reason: string) {
    super(
      `the Temporal CLI (temporal) was not found: ${reason}.\n` +
        `Install it in one of these ways, then try again:\n` +
        `  - go install ${GO_PACKAGE}   (then put $(go env GOPATH)/bin on PATH)\n` +
        `  - download it from the Temporal CLI releases and set TEMPORAL_CLI_PATH to the binary`,
    );
    this.name = 'TemporalCliMissingError';
  }
}

export function temporalCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'dagent', `temporal-cli-${TEMPORAL_CLI_VERSION}`);
}

export interface ProvisionOptions {
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

/** $TEMPORAL_CLI_PATH, then PATH, then our cache, then a one-time `go install` into the cache. */
export async function provisionTemporalCli(options: ProvisionOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));

  if (env.TEMPORAL_CLI_PATH) {
    if (await isExecutable(env.TEMPORAL_CLI_PATH)) return env.TEMPORAL_CLI_PATH;
    throw new TemporalCliMissingError(`TEMPORAL_CLI_PATH is ${env.TEMPORAL_CLI_PATH}, which is not an executable file`);
  }
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'temporal');
    if (await isExecutable(candidate)) return candidate;
  }
  const cacheDir = temporalCacheDir(env);
  const cached = join(cacheDir, 'temporal');
  if (await isExecutable(cached)) return cached;

  const go = await findGo(env);
  if (!go) throw new TemporalCliMissingError('it is not on PATH, not in the cache, and Go is not available to build it');
  log(`dagent: building the Temporal CLI ${TEMPORAL_CLI_VERSION} with \`go install ${GO_PACKAGE}\` into ${cacheDir} (once; takes a few minutes)…`);
  await mkdir(cacheDir, { recursive: true });
  try {
    await promisify(execFile)(go, ['install', GO_PACKAGE], { env: { ...env, GOBIN: cacheDir }, maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new TemporalCliMissingError(`building it with Go failed: ${stderr.trim().split('\n').slice(-5).join(' | ') || (err as Error).message}`);
  }
  if (!(await isExecutable(cached))) throw new TemporalCliMissingError(`go install finished but ${cached} is missing`);
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
