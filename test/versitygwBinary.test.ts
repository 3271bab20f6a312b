// Finding versitygw: $VERSITYGW_PATH, then PATH, then the cache; a clear error otherwise. No build.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionVersitygw, versitygwCacheDir, VersitygwMissingError } from '../src/s3/versitygwBinary';
import { fakeBinary } from './support/fakeBinary';

let dir: string;
const quiet = () => {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dagent-vgw-path-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('provisionVersitygw', () => {
  it('prefers VERSITYGW_PATH, and rejects one that is not an executable', async () => {
    const explicit = await fakeBinary(join(dir, 'explicit', 'versitygw'));
    const onPath = await fakeBinary(join(dir, 'onpath', 'versitygw'));
    expect(await provisionVersitygw({ env: { VERSITYGW_PATH: explicit, PATH: join(onPath, '..') }, log: quiet })).toBe(explicit);
    const error = await provisionVersitygw({ env: { VERSITYGW_PATH: join(dir, 'nope') }, log: quiet }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VersitygwMissingError);
    expect((error as Error).message).toContain(`VERSITYGW_PATH is ${join(dir, 'nope')}, which is not an executable file`);
  });

  it('then looks on PATH, then in the cache', async () => {
    const onPath = await fakeBinary(join(dir, 'path2', 'versitygw'));
    expect(await provisionVersitygw({ env: { PATH: join(onPath, '..') }, log: quiet })).toBe(onPath);
    const env = { PATH: join(dir, 'empty'), XDG_CACHE_HOME: join(dir, 'cache') };
    const cached = await fakeBinary(join(versitygwCacheDir(env), 'versitygw'));
    expect(cached).toBe(join(dir, 'cache', 'dagent', 'versitygw-v1.8.0', 'versitygw'));
    expect(await provisionVersitygw({ env, log: quiet })).toBe(cached);
  });

  it('without it or Go, fails with install instructions naming the pinned version', async () => {
    const env = { PATH: join(dir, 'empty'), XDG_CACHE_HOME: join(dir, 'empty-cache') };
    const error = await provisionVersitygw({ env, log: quiet }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VersitygwMissingError);
    expect((error as Error).message).toContain('Go is not available to build it');
    expect((error as Error).message).toContain('go install github.com/versity/versitygw/cmd/versitygw@v1.8.0');
  });
});
