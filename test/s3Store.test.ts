// The S3 result store against a real S3 server (VersityGW on a temporary folder): the store's own
// contract, a run whose worker stores in the bucket, and `dagent run` with DAGENT_STORE=s3://….
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { backgroundFilingDone } from '../src/activities/backgroundFiling';
import { gcCommand } from '../src/client/gcCommand';
import type { RunResult } from '../src/run/types';
import { startVersitygw, type Versitygw } from '../src/s3/versitygwServer';
import { collectGarbage } from '../src/store/collectGarbage';
import { keySegment, LocalResultStore, ResultStoreError, resultStoreFromEnv, S3ResultStore, StoreConfigError } from '../src/store/resultStore';
import { s3ClientFromEnv } from '../src/store/s3ClientFromEnv';
import { parseS3Location, S3LocationError } from '../src/store/s3Location';
import { readRunTasks } from '../src/store/runTasks';
import { defaultHandler, startFakeAnthropic } from './support/fakeAnthropic';
import { cleanEnv, spawnDagent } from './support/processes';
import { planOf, runMapThatHandsOver, startTestEnv, TEST_API_KEY, type TestEnv } from './support/testEnv';

const BUCKET = 'dagent-results';
let dir: string;
let s3: Versitygw;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dagent-s3-test-'));
  s3 = await startVersitygw({ dir: join(dir, 'gw'), bucket: BUCKET, logFile: join(dir, 'versitygw.log') });
  // Without CI's provisioning step, the first start builds versitygw with Go (a few minutes, once).
}, 600_000);
afterAll(async () => {
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** A store under its own prefix, configured the way a worker configures it: from the environment. */
function storeAt(prefix: string): S3ResultStore {
  return resultStoreFromEnv({ ...s3.env, DAGENT_STORE: `s3://${BUCKET}/${prefix}` }) as S3ResultStore;
}

async function keysUnder(prefix: string): Promise<string[]> {
  const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${prefix}/` }));
  return (listed.Contents ?? []).map((o) => o.Key!.slice(prefix.length + 1)).sort();
}

describe('S3ResultStore', () => {
  it('stores and reads back text by reference, as an object under its prefix', async () => {
    const store = storeAt('unit/round-trip');
    const text = 'héllo 🌍\n'.repeat(1000);
    const ref = await store.put('run/1/T-01.md', text);
    expect(ref).toBe('run/1/T-01.md');
    expect(await store.get(ref)).toBe(text);
    expect(await keysUnder('unit/round-trip')).toEqual(['run/1/T-01.md']);
    // A second put replaces the object whole.
    await store.put(ref, 'second');
    expect(await store.get(ref)).toBe('second');
  });

  it('refuses the keys the local store refuses, and writes nothing for them', async () => {
    const store = storeAt('unit/escapes');
    for (const key of ['../escape.md', 'run/../../escape.md', '/etc/passwd', 'run//x', 'run/./x', 'a\\..\\b', 'nul\0byte', '', 'run/']) {
      await expect(store.put(key, 'x'), key).rejects.toBeInstanceOf(ResultStoreError);
      await expect(store.get(key), key).rejects.toBeInstanceOf(ResultStoreError);
      await expect(new LocalResultStore(join(dir, 'local')).put(key, 'x'), key).rejects.toBeInstanceOf(ResultStoreError);
    }
    // Nothing under the store's prefix, nor anywhere a key could have escaped to.
    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    expect((listed.Contents ?? []).map((o) => o.Key!).filter((k) => /^unit\/escapes|escape|passwd|nul/.test(k))).toEqual([]);
  });

  it('names the key and the bucket when a result is missing', async () => {
    const store = storeAt('unit/missing');
    const key = `${keySegment('wf-7')}/${keySegment('run-3')}/T-04.md`;
    const error = await store.get(key).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ResultStoreError);
    expect((error as ResultStoreError).ref).toBe(key);
    expect((error as Error).message).toBe(`result "wf-7/run-3/T-04.md" was not found in s3://${BUCKET}/unit/missing`);
  });

  it('says which bucket is missing, not that a result is', async () => {
    const store = resultStoreFromEnv({ ...s3.env, DAGENT_STORE: 's3://no-such-bucket/x' });
    await expect(store.get('run/T-01.md')).rejects.toThrow(/cannot read result "run\/T-01.md" from s3:\/\/no-such-bucket\/x: NoSuchBucket/);
  });

  it('names the store and the server\'s reason when the keys are wrong', async () => {
    const store = resultStoreFromEnv({ ...s3.env, AWS_SECRET_ACCESS_KEY: 'wrong-secret', DAGENT_STORE: `s3://${BUCKET}/unit/keys` });
    await expect(store.put('run/T-01.md', 'x')).rejects.toThrow(new RegExp(`^cannot store result "run/T-01.md" in s3://${BUCKET}/unit/keys: SignatureDoesNotMatch`));
  });
});

describe('DAGENT_STORE', () => {
  it('selects a local directory by path or file:// URL, DAGENT_RESULTS_DIR as the fallback', () => {
    expect((resultStoreFromEnv({ DAGENT_STORE: '/tmp/a' }) as LocalResultStore).root).toBe('/tmp/a');
    expect((resultStoreFromEnv({ DAGENT_STORE: 'file:///tmp/b' }) as LocalResultStore).root).toBe('/tmp/b');
    expect((resultStoreFromEnv({ DAGENT_RESULTS_DIR: '/tmp/c' }) as LocalResultStore).root).toBe('/tmp/c');
    expect((resultStoreFromEnv({ DAGENT_STORE: '/tmp/d', DAGENT_RESULTS_DIR: '/tmp/c' }) as LocalResultStore).root).toBe('/tmp/d');
    expect((resultStoreFromEnv({}) as LocalResultStore).root).toBe(join(process.cwd(), '.dagent', 'results'));
  });

  it('selects a bucket and prefix by s3:// URL', () => {
    expect(parseS3Location('s3://bucket')).toEqual({ bucket: 'bucket', prefix: '' });
    expect(parseS3Location('s3://bucket/')).toEqual({ bucket: 'bucket', prefix: '' });
    expect(parseS3Location('s3://bucket/team/a/')).toEqual({ bucket: 'bucket', prefix: 'team/a' });
    expect((resultStoreFromEnv({ DAGENT_STORE: 's3://bucket/team' }) as S3ResultStore).url).toBe('s3://bucket/team');
  });

  it('refuses an unknown scheme or an odd S3 location, naming DAGENT_STORE', () => {
    expect(() => resultStoreFromEnv({ DAGENT_STORE: 'gs://bucket/x' })).toThrow(StoreConfigError);
    expect(() => resultStoreFromEnv({ DAGENT_STORE: 'gs://bucket/x' })).toThrow('DAGENT_STORE is "gs://bucket/x", but "gs://" is not a result store dagent knows');
    for (const url of ['s3://', 's3:///prefix', 's3://Bad_Bucket/x', 's3://bucket/a//b', 's3://bucket/../x']) {
      expect(() => resultStoreFromEnv({ DAGENT_STORE: url }), url).toThrow(S3LocationError);
      expect(() => resultStoreFromEnv({ DAGENT_STORE: url }), url).toThrow(`DAGENT_STORE is "${url}"`);
    }
  });

  it('uses path-style addressing at the endpoint from AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL', async () => {
    for (const variable of ['AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL']) {
      const { AWS_ENDPOINT_URL_S3: endpoint, ...rest } = s3.env;
      const client = s3ClientFromEnv({ ...rest, [variable]: endpoint });
      expect(client.config.forcePathStyle).toBe(true);
      expect(await client.config.region()).toBe('us-east-1');
      client.destroy();
    }
  });
});

describe('a run whose worker stores in S3', () => {
  let env: TestEnv<S3ResultStore>;
  const prefix = `runs-${randomUUID().slice(0, 8)}`;
  beforeAll(async () => {
    env = await startTestEnv((req) => (req.kind === 'task' ? { text: `${req.taskId} found: ${req.taskId === 'T-01' ? 'the-marker-42' : 'ok'}` } : defaultHandler(req)), {
      store: storeAt(prefix),
    });
  });
  afterAll(async () => env?.close());

  it('stores every output in the bucket, and the second task reads the first by reference', async () => {
    const result = await env.run({ plan: planOf({ 'T-01': [], 'T-02': ['T-01'] }) });
    expect(result.status).toBe('Completed');
    const [first, second] = result.tasks;
    // T-02's prompt carries T-01's output, read back from the bucket through its reference.
    expect(env.llm.callsFor('T-02')[0]!.prompt).toContain('T-01 found: the-marker-42');
    // Keys are workflow id / run id / file; the result carries no run id, the reference does.
    const run = first!.outputRef!.replace(/\/T-01\.md$/, '');
    expect(run).toMatch(new RegExp(`^${keySegment(result.workflowId)}/[^/]+$`));
    expect(second!.outputRef).toBe(`${run}/T-02.md`);
    const keys = await keysUnder(prefix);
    expect(keys).toEqual(expect.arrayContaining([`${run}/T-01.md`, `${run}/T-02.md`, `${run}/report.md`]));
    expect(await env.store.get(first!.outputRef!)).toBe('T-01 found: the-marker-42');
    // gc recognises everything a real run wrote as dagent's (its folder, the duration memo of its
    // backend, each task's entry in the reuse index), and would take the run whole. The memo and
    // the index are written in the background: the worker (in this process) writes them now.
    expect(await backgroundFilingDone(5_000)).toBe(0);
    const report = await collectGarbage(env.store, { olderThanMs: 30 * 86_400_000, now: new Date(Date.now() + 31 * 86_400_000), dryRun: true });
    const loose = report.removed.map((g) => g.name).filter((name) => name !== run);
    expect(loose[0]).toBe('durations/anthropic.json');
    expect(loose.slice(1)).toEqual([expect.stringMatching(/^reuse\/[0-9a-f]{28}\.json$/), expect.stringMatching(/^reuse\/[0-9a-f]{28}\.json$/)]);
    expect(report.removed.find((g) => g.name === run)!.keys.sort()).toEqual(keys.filter((k) => k.startsWith(`${run}/`)));
  });
});

describe('a big run whose worker stores in S3', () => {
  let env: TestEnv<S3ResultStore>;
  const prefix = `ledger-${randomUUID().slice(0, 8)}`;
  beforeAll(async () => {
    env = await startTestEnv(defaultHandler, { store: storeAt(prefix) });
  });
  afterAll(async () => env?.close());

  it('files the ledger of a map that hands over in the bucket, and reads the whole run back from it', async () => {
    const items = Array.from({ length: 30 }, (_, i) => `file-${i}.ts`);
    const raw = await runMapThatHandsOver(env, items);
    expect(raw.status).toBe('Completed');
    expect(raw.continuedAsNew).toBeGreaterThanOrEqual(1);
    const pages = raw.taskPages!.flatMap((ref) => ref.pages);
    expect(pages.length).toBeGreaterThanOrEqual(1);
    // Each page is an object of the run's folders in the bucket.
    const keys = await keysUnder(prefix);
    for (const page of pages) expect(keys).toContain(page);
    const all = await readRunTasks(raw, env.store);
    expect(all.map((t) => t.id)).toEqual(['MAP', ...items.map((_, i) => `MAP[${i}]`), 'SUM']);
    expect(await env.store.get(all[5]!.outputRef!)).toBe(`output of MAP[4]`);
  });
});

describe('dagent run with DAGENT_STORE=s3://…', () => {
  it('completes a plan file and leaves its outputs in the bucket, none on disk', async () => {
    const cwd = await mkdtemp(join(dir, 'cli-'));
    const planFile = join(cwd, 'plan.json');
    await writeFile(planFile, JSON.stringify({ goal: 'Check the S3 store', ...planOf({ 'T-01': [], 'T-02': ['T-01'] }) }));
    const prefix = `cli-${randomUUID().slice(0, 8)}`;
    const llm = await startFakeAnthropic(defaultHandler);
    try {
      const run = spawnDagent(
        ['run', '--file', planFile, '--json', '--task-queue', `s3-cli-${randomUUID()}`],
        cleanEnv({
          ANTHROPIC_API_KEY: TEST_API_KEY,
          ANTHROPIC_BASE_URL: llm.url,
          TEMPORAL_ADDRESS: inject('temporalAddress'),
          DAGENT_STORE: `s3://${BUCKET}/${prefix}`,
          DAGENT_RESULTS_DIR: '',
          ...s3.env,
        }),
        cwd,
      );
      const code = await run.exited;
      expect(code, run.stderr()).toBe(0);
      const result = JSON.parse(run.stdout()) as RunResult;
      expect(result.status).toBe('Completed');
      // The SDK's notice about future Node versions stays off the live table's stderr.
      expect(run.stderr()).not.toContain('NodeVersionSupportWarning');
      const runKey = result.tasks[0]!.outputRef!.replace(/\/T-01\.md$/, '');
      expect(runKey).toMatch(new RegExp(`^${keySegment(result.workflowId)}/[^/]+$`));
      expect(await keysUnder(prefix)).toEqual(expect.arrayContaining([`${runKey}/T-01.md`, `${runKey}/T-02.md`, `${runKey}/report.md`]));
      // The default local store would have been .dagent/results in the working directory.
      await expect(access(join(cwd, '.dagent', 'results'))).rejects.toThrow();
    } finally {
      await llm.close();
    }
  });
});

describe('dagent gc on the bucket', () => {
  it('keeps recent runs, and removes a run whole once it is older than the cutoff', async () => {
    const prefix = `gc-${randomUUID().slice(0, 8)}`;
    const store = storeAt(prefix);
    for (const key of ['wf/run-1/T-01.md', 'wf/run-1/report.md', 'plans/p.json']) await store.put(key, key);
    const env = { ...s3.env, DAGENT_STORE: `s3://${BUCKET}/${prefix}` };
    const lines: string[] = [];
    expect(await gcCommand({ olderThan: '30d' }, env, (l) => lines.push(l))).toBe(0);
    expect(lines).toEqual([`s3://${BUCKET}/${prefix}: removed 0 run(s) or file(s), 0 object(s), 0 B; kept 2 newer than 30d`]);
    expect(await keysUnder(prefix)).toHaveLength(3);
    // Objects' times are the server's to set: judge them from 31 days ahead instead of waiting.
    const report = await collectGarbage(store, { olderThanMs: 30 * 86_400_000, now: new Date(Date.now() + 31 * 86_400_000) });
    expect(report.removed.map((g) => [g.name, g.keys.length])).toEqual([
      ['plans/p.json', 1],
      ['wf/run-1', 2],
    ]);
    expect(await keysUnder(prefix)).toEqual([]);
  });
});
