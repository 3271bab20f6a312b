// The bad-input corpus (test/fixtures/bad-plans): every case is refused by `dagent run` before
// anything starts, with a message naming the file, the task and the field, and exit code 2;
// no workflow is created.
import { Client, Connection } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { cleanEnv, spawnDagent } from './support/processes';
import { TEST_API_KEY } from './support/testEnv';

const CORPUS = fileURLToPath(new URL('./fixtures/bad-plans/', import.meta.url));
const expected = JSON.parse(await readFile(join(CORPUS, 'expected.json'), 'utf8')) as Record<string, string>;
const taskQueue = `bad-plans-${randomUUID()}`;
let dir: string;
let cases: Array<{ name: string; file: string; message: string }>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dagent-bad-'));
  // The giants are made here rather than committed.
  await writeFile(join(dir, '10001-tasks.json'), JSON.stringify({ tasks: Array.from({ length: 10_001 }, (_, i) => ({ id: `T${i}`, prompt: 'p' })) }));
  await writeFile(join(dir, '20mb.json'), Buffer.alloc(20 * 1024 * 1024, 32));
  await writeFile(join(dir, 'deep.json'), `{"tasks":${'['.repeat(200_000)}${']'.repeat(200_000)}}`);
  const files = (await readdir(CORPUS)).filter((f) => f !== 'expected.json');
  cases = [
    ...files.map((f) => ({ name: f, file: join(CORPUS, f), message: expected[f]! })),
    { name: 'generated: 10001-tasks.json', file: join(dir, '10001-tasks.json'), message: expected['generated: 10001-tasks.json']! },
    { name: 'generated: 20mb.json', file: join(dir, '20mb.json'), message: expected['generated: 20mb.json']! },
    { name: 'generated: deep.json', file: join(dir, 'deep.json'), message: expected['generated: deep.json']! },
  ];
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('the bad-input corpus', () => {
  it('has at least 25 cases, each with its expected message', async () => {
    const files = (await readdir(CORPUS)).filter((f) => f !== 'expected.json');
    expect(files.length + 2).toBeGreaterThanOrEqual(25);
    for (const f of files) expect(expected[f], `expected.json has no message for ${f}`).toBeTruthy();
  });

  it('every case is refused with file, task and field, exit code 2, and no workflow', async () => {
    const env = cleanEnv({ ANTHROPIC_API_KEY: TEST_API_KEY, TEMPORAL_ADDRESS: inject('temporalAddress') });
    const failures: string[] = [];
    // Four at a time: each is a whole CLI process.
    for (let i = 0; i < cases.length; i += 4) {
      await Promise.all(
        cases.slice(i, i + 4).map(async (c) => {
          const run = spawnDagent(['run', '--file', c.file, '--task-queue', taskQueue], env);
          const code = await run.exited;
          if (code !== 2) failures.push(`${c.name}: exit ${code}, stderr: ${run.stderr()}`);
          else if (!run.stderr().includes(`${c.file}: ${c.message}`)) failures.push(`${c.name}: stderr lacks "${c.file}: ${c.message}":\n${run.stderr()}`);
        }),
      );
    }
    expect(failures).toEqual([]);

    const client = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }) });
    const started = await client.workflow.count(`TaskQueue = '${taskQueue}'`);
    await client.connection.close();
    expect(started.count).toBe(0);
  }, 300_000);
});
