// A task that prints more than the 10 MB capture cap: its stored output ends with a marker that
// says how much was cut, its record says truncated, and the report's status table and the CLI's
// results table say so too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultsTable } from '../src/client/printResult';
import { defaultHandler } from './support/fakeAnthropic';
import { startTestEnv, type TestEnv } from './support/testEnv';

const CAP = 10 * 1024 * 1024;
const PRINTED = 11 * 1024 * 1024;
let env: TestEnv;

beforeAll(async () => {
  env = await startTestEnv(defaultHandler);
});
afterAll(async () => {
  await env?.close();
});

describe('output over the capture cap', () => {
  it('is cut with a visible marker, and the task is marked in the record, the report and the results table', async () => {
    const result = await env.run({
      plan: {
        tasks: [
          { id: 'BIG', title: 'Prints 11 MB', backend: 'shell', command: `head -c ${PRINTED} /dev/zero | tr '\\0' a` },
          { id: 'SMALL', title: 'Prints a line', backend: 'shell', command: 'echo fine' },
        ],
      },
      options: { aggregate: 'plain' },
    });
    const [big, small] = result.tasks;
    expect(big).toMatchObject({ status: 'Completed', truncated: true });
    expect(small!.status).toBe('Completed');
    expect(small!.truncated).toBeUndefined();

    const output = await env.store.get(big!.outputRef!);
    const marker = `[output cut at 10 MB: the process printed ${PRINTED - CAP} more bytes]\n`;
    expect(output.endsWith(`\n${marker}`)).toBe(true);
    expect(output.length).toBe(CAP + 1 + marker.length);
    expect(output.slice(0, CAP)).toBe('a'.repeat(CAP));

    expect(result.report).toContain('| BIG | Prints 11 MB | Completed (output cut) |');
    expect(result.report).toContain('| SMALL | Prints a line | Completed |');
    const rows = resultsTable(result);
    expect(rows.find((r) => r.startsWith('BIG'))).toContain('Completed (output cut)');
    expect(rows.find((r) => r.startsWith('SMALL'))).not.toContain('output cut');
  });
});
