// The Temporal Web UI tells a run's story on its own: a real browser (Debian's chromium, driven
// by playwright-core) opens the run's page on a dev server we start, and finds a task's
// summary there; the run's search attributes are set.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../src/run/types';
import { startDevServer, type DevServer } from '../src/temporal/devServer';
import { defaultHandler } from './support/fakeAnthropic';
import { planOf, startTestEnv, type TestEnv } from './support/testEnv';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
let dir: string;
let server: DevServer;
let env: TestEnv;
let browser: Browser;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dagent-ui-'));
  server = await startDevServer({ dbFile: join(dir, 'ui.db'), logFile: join(dir, 'ui.log') });
  env = await startTestEnv(defaultHandler, { address: server.address });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
afterAll(async () => {
  await browser?.close();
  await env?.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('Temporal Web UI', () => {
  it('shows the run with its task summaries, and the run carries its search attributes', async () => {
    const plan = planOf({ 'T-01': [], 'T-02': ['T-01'] }, { 'T-01': { title: 'Security scan' } });
    const handle = await env.start({ plan, options: { searchAttributes: true } });
    const result = (await handle.result()) as RunResult;
    expect(result.status).toBe('Completed');

    const { searchAttributes } = await handle.describe();
    expect(searchAttributes).toMatchObject({ DagentStatus: ['Completed'], DagentProgress: [100], DagentTokens: [result.usage.inputTokens + result.usage.outputTokens] });

    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${server.uiPort}/namespaces/default/workflows/${handle.workflowId}`);
    // The UI's own event timeline labels the activity with our summary (not just JSON text).
    await page.getByText('runTask • T-01 · Security scan').first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: process.env.DAGENT_UI_SCREENSHOT ?? join(dir, 'run.png') });
  });

  it("shows an agent task's turns and tool calls on its own page", async () => {
    env.llm.handle((req) => {
      if (req.kind !== 'task') return defaultHandler(req);
      const turn = req.body.messages.filter((m) => m.role === 'assistant').length + 1;
      return turn === 1 ? { tool: { name: 'list_files', input: { pattern: 'src/**/*.ts' } } } : { text: 'looked' };
    });
    const handle = await env.start({ plan: planOf({ 'T-07': [] }, { 'T-07': { title: 'Agent review' } }), options: { workdir: process.cwd(), aggregate: 'plain' } });
    expect(((await handle.result()) as RunResult).tasks[0]!.status).toBe('Completed');
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${server.uiPort}/namespaces/default/workflows/${encodeURIComponent(`${handle.workflowId}/T-07`)}`);
    await page.getByText('agentToolCall • T-07 · turn 1 · list_files src/**/*.ts').first().waitFor({ timeout: 30_000 });
    await page.getByText('agentModelTurn • T-07 · turn 2 · model').first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: process.env.DAGENT_UI_SCREENSHOT_AGENT ?? join(dir, 'agent.png') });
  });
});
