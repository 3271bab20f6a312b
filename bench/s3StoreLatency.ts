// `node --import tsx bench/s3StoreLatency.ts`: what one result costs to store and read in S3
// (VersityGW on a temporary folder, on this machine) next to the local directory store.
// Sequential 10 KB puts then gets, as an activity does them; medians and 90th percentiles.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startVersitygw } from '../src/s3/versitygwServer';
import { LocalResultStore, resultStoreFromEnv, type ResultStore } from '../src/store/resultStore';

const N = 50;
const TEXT = 'x'.repeat(10 * 1024);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function measure(name: string, store: ResultStore): Promise<void> {
  // One warm-up pair: the first call pays for the connection and, for S3, credential resolution.
  await store.put('warm/up.md', TEXT);
  await store.get('warm/up.md');
  const times = { put: [] as number[], get: [] as number[] };
  for (let i = 0; i < N; i++) {
    const start = performance.now();
    await store.put(`bench/T-${i}.md`, TEXT);
    times.put.push(performance.now() - start);
  }
  for (let i = 0; i < N; i++) {
    const start = performance.now();
    if ((await store.get(`bench/T-${i}.md`)).length !== TEXT.length) throw new Error(`bench/T-${i}.md came back changed`);
    times.get.push(performance.now() - start);
  }
  for (const op of ['put', 'get'] as const) {
    const sorted = times[op].sort((a, b) => a - b);
    console.log(`${name.padEnd(6)} ${op}  median ${percentile(sorted, 50).toFixed(2)} ms  p90 ${percentile(sorted, 90).toFixed(2)} ms  (${N} × 10 KB)`);
  }
}

const dir = await mkdtemp(join(tmpdir(), 'dagent-s3-bench-'));
const s3 = await startVersitygw({ dir: join(dir, 'gw'), bucket: 'bench' });
try {
  await measure('local', new LocalResultStore(join(dir, 'local')));
  await measure('s3', resultStoreFromEnv({ ...s3.env, DAGENT_STORE: 's3://bench/results' }));
} finally {
  await s3.stop();
  await rm(dir, { recursive: true, force: true });
}
