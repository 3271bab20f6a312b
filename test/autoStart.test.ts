// With no TEMPORAL_ADDRESS and nothing on localhost:7233, `dagent run` starts a dev server itself
// (database under .dagent/, Web UI on 8233), says so in one line, and leaves it running.
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunResult } from '../src/run/types';
import { isPortOpen } from '../src/temporal/devServer';
import { defaultHandler, startFakeAnthropic, type FakeAnthropic } from './support/fakeAnthropic';
import { cleanEnv, spawnDagent } from './support/processes';
import { TEST_API_KEY } from './support/testEnv';

let llm: FakeAnthropic;
let cwd: string;
let serverPid: number | undefined;

beforeAll(async () => {
  llm = await startFakeAnthropic((req) =>
    req.kind === 'decompose' ? { tool: { name: 'submit_plan', input: { tasks: [{ id: 'T-01', title: 'Only task', prompt: 'Do it.' }] } } } : defaultHandler(req),
  );
  cwd = await mkdtemp(join(tmpdir(), 'dagent-autostart-'));
});
afterAll(async () => {
  if (serverPid) {
    process.kill(serverPid, 'SIGTERM');
    // The server writes its database while it stops: wait for it before removing the folder.
    for (let i = 0; i < 100 && isAlive(serverPid); i++) await new Promise((r) => setTimeout(r, 100));
  }
  await llm?.close();
  await rm(cwd, { recursive: true, force: true });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('dagent run without a configured server', () => {
  it('starts a dev server on 7233 with its database under .dagent/ and runs the goal', async () => {
    expect(await isPortOpen(7233), 'this test needs localhost:7233 free').toBe(false);
    expect(await isPortOpen(8233), 'this test needs localhost:8233 free').toBe(false);
    const run = spawnDagent(
      ['run', 'Auto start', '--json'],
      cleanEnv({ ANTHROPIC_API_KEY: TEST_API_KEY, ANTHROPIC_BASE_URL: llm.url, TEMPORAL_CLI_PATH: inject('temporalCli') }),
      cwd,
    );
    const code = await run.exited;
    const line = run.stderr().split('\n').find((l) => l.includes('started a Temporal dev server'));
    serverPid = Number(/\(pid (\d+)\)/.exec(line ?? '')?.[1]) || undefined;
    expect(code, run.stderr()).toBe(0);
    expect(line).toContain('on 127.0.0.1:7233, Web UI http://localhost:8233, data in .dagent/temporal.db');
    expect((JSON.parse(run.stdout()) as RunResult).status).toBe('Completed');
    await access(join(cwd, '.dagent', 'temporal.db'));
    await access(join(cwd, '.dagent', 'results'));
    // It outlives the command, so the run's history stays available.
    expect(await isPortOpen(7233)).toBe(true);
  });
});
