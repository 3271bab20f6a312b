// Finding the temporal CLI: $TEMPORAL_CLI_PATH, then PATH, then the cache; a clear error otherwise.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionTemporalCli, temporalCacheDir, TemporalCliMissingError } from '../src/temporal/temporalCli';
import { fakeBinary } from './support/fakeBinary';

let dir: string;
const quiet = () => {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dagent-cli-path-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('provisionTemporalCli', () => {
  it('prefers TEMPORAL_CLI_PATH', async () => {
    const explicit = await fakeBinary(join(dir, 'explicit', 'temporal'));
    const onPath = await fakeBinary(join(dir, 'onpath', 'temporal'));
    expect(await provisionTemporalCli({ env: { TEMPORAL_CLI_PATH: explicit, PATH: join(onPath, '..') }, log: quiet })).toBe(explicit);
  });

  it('rejects a TEMPORAL_CLI_PATH that is not an executable', async () => {
    const error = await provisionTemporalCli({ env: { TEMPORAL_CLI_PATH: join(dir, 'nope') }, log: quiet }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TemporalCliMissingError);
    expect((error as Error).message).toContain(`TEMPORAL_CLI_PATH is ${join(dir, 'nope')}, which is not an executable file`);
  });

  it('then looks on PATH, then in the cache', async () => {
    const onPath = await fakeBinary(join(dir, 'path2', 'temporal'));
    expect(await provisionTemporalCli({ env: { PATH: join(onPath, '..') }, log: quiet })).toBe(onPath);
    const env = { PATH: join(dir, 'empty'), XDG_CACHE_HOME: join(dir, 'cache') };
    const cached = await fakeBinary(join(temporalCacheDir(env), 'temporal'));
    expect(await provisionTemporalCli({ env, log: quiet })).toBe(cached);
  });

  it('without it or Go, fails with install instructions naming the pinned version', async () => {
    const env = { PATH: join(dir, 'empty'), XDG_CACHE_HOME: join(dir, 'empty-cache') };
    const error = await provisionTemporalCli({ env, log: quiet }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TemporalCliMissingError);
    expect((error as Error).message).toContain('Go is not available to build it');
    expect((error as Error).message).toContain('go install github.com/temporalio/cli/cmd/temporal@v1.5.1');
  });
});
