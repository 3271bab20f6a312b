// Finds the `versitygw` S3 gateway, or builds it once with Go into our cache, the way
// temporalCli.ts provisions `temporal`. Tests and CI use it as a real S3 server on one machine.
import { execFile } from 'node:child_process';
import { access, constants, mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

export const VERSITYGW_VERSION = 'v1.8.0';
const GO_PACKAGE = `github.com/versity/versitygw/cmd/versitygw@${VERSITYGW_VERSION}`;

export class VersitygwMissingError extends Error {
  constructor(reason: string) {
    super(
      `the VersityGW S3 gateway (versitygw) was not found: ${reason}.\n` +
        `Install it in one of these ways, then try again:\n` +
        `  - go install ${GO_PACKAGE}   (then put $(go env GOPATH)/bin on PATH)\n` +
        `  - download it from the VersityGW releases and set VERSITYGW_PATH to the binary`,
    );
    this.name = 'VersitygwMissingError';
  }
}

export function versitygwCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'dagent', `versitygw-${VERSITYGW_VERSION}`);
}

export interface ProvisionVersitygwOptions {
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

/** $VERSITYGW_PATH, then PATH, then our cache, then a one-time `go install` into the cache. */
export async function provisionVersitygw(options: ProvisionVersitygwOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));

  if (env.VERSITYGW_PATH) {
    if (await isExecutable(env.VERSITYGW_PATH)) return env.VERSITYGW_PATH;
    throw new VersitygwMissingError(`VERSITYGW_PATH is ${env.VERSITYGW_PATH}, which is not an executable file`);
  }
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'versitygw');
    if (await isExecutable(candidate)) return candidate;
  }
  const cacheDir = versitygwCacheDir(env);
  const cached = join(cacheDir, 'versitygw');
  if (await isExecutable(cached)) return cached;

  const go = await findGo(env);
  if (!go) throw new VersitygwMissingError('it is not on PATH, not in the cache, and Go is not available to build it');
  log(`dagent: building VersityGW ${VERSITYGW_VERSION} with \`go install ${GO_PACKAGE}\` into ${cacheDir} (once; takes a few minutes)…`);
  await mkdir(cacheDir, { recursive: true });
  try {
    await promisify(execFile)(go, ['install', GO_PACKAGE], { env: { ...env, GOBIN: cacheDir }, maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new VersitygwMissingError(`building it with Go failed: ${stderr.trim().split('\n').slice(-5).join(' | ') || (err as Error).message}`);
  }
  if (!(await isExecutable(cached))) throw new VersitygwMissingError(`go install finished but ${cached} is missing`);
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
