// The CLI starts from compiled JavaScript and loads only what the command needs: asking for
// help, checking a plan or reading a run's status never loads the Temporal worker (its native
// bridge and the workflow bundler take seconds to load) nor compiles TypeScript.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { defaultHandler, sleep } from './support/fakeAnthropic';
import { cleanEnv, DAGENT_BIN } from './support/processes';
import { startTestEnv, type TestEnv } from './support/testEnv';

const RECORD_IMPORTS = fileURLToPath(new URL('./support/recordImports.mjs', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../examples/code-review.yaml', import.meta.url));

let testEnv: TestEnv;
let dir: string;
beforeAll(async () => {
  testEnv = await startTestEnv(async (req) => {
    if (req.kind === 'task') await sleep(30_000);
    return defaultHandler(req);
  });
  dir = await mkdtemp(join(tmpdir(), 'dagent-cli-startup-'));
});
afterAll(async () => {
  await testEnv?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Runs the real CLI and returns what it printed and every module URL it resolved. */
async function dagentWithImports(name: string, args: string[]) {
  const file = join(dir, `${name}.imports`);
  const child = spawn(process.execPath, ['--import', RECORD_IMPORTS, DAGENT_BIN, ...args], {
    env: { ...process.env, ...cleanEnv({ TEMPORAL_ADDRESS: inject('temporalAddress'), DAGENT_TEST_IMPORTS_FILE: file }) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const imports = (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  return { code, stdout, stderr, imports };
}

const workerPackages = (imports: string[]) => imports.filter((url) => /node_modules\/@temporalio\/(worker|core-bridge)\//.test(url));
const typeScript = (imports: string[]) => imports.filter((url) => /\.m?tsx?$/.test(url) || url.includes('node_modules/tsx/'));

describe('the CLI starts light', () => {
  it('--help loads neither the worker nor TypeScript, and lists the commands', async () => {
    const r = await dagentWithImports('help', ['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/run \[options\] \[goal\]/);
    expect(r.imports.some((url) => url.includes('/dist/cli/'))).toBe(true);
    expect(workerPackages(r.imports)).toEqual([]);
    expect(typeScript(r.imports)).toEqual([]);
  });

  it('validate checks a plan without the worker', async () => {
    const r = await dagentWithImports('validate', ['validate', EXAMPLE]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('valid');
    expect(workerPackages(r.imports)).toEqual([]);
    expect(typeScript(r.imports)).toEqual([]);
  });

  it('status reads a running run without the worker', async () => {
    const handle = await testEnv.start({ plan: { tasks: [{ id: 'SLOW', title: 'slow', prompt: 'p' }] } });
    const r = await dagentWithImports('status', ['status', handle.workflowId]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('SLOW');
    expect(workerPackages(r.imports)).toEqual([]);
    await handle.terminate('test done');
  });

  it('a worker command does load the worker (so the checks above can see it)', async () => {
    const r = await dagentWithImports('worker', ['worker', '--address', '127.0.0.1:1']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('cannot reach Temporal at 127.0.0.1:1');
    expect(workerPackages(r.imports).length).toBeGreaterThan(0);
  });
});
