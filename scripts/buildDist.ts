// `npm run build` (run by `npm ci` through `prepare`): compiles the CLI to plain JavaScript in
// dist/ so no TypeScript is compiled when dagent starts, and prebuilds the workflow bundle that
// every worker loads (bundling it takes seconds; loading it takes milliseconds).
//
// Why a build at install time and not committed output: dist/ follows from src/ and the lockfile
// alone, so committing it would only add a second copy to keep in step; a clean clone's
// `npm ci` builds it, and CI runs from a clean clone.
import { bundleWorkflowCode } from '@temporalio/worker';
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TRACED_WORKFLOW_BUNDLE_OPTIONS, WORKFLOW_BUNDLE_OPTIONS } from '../src/workers/workflowsPath';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');

/** The prebuilt workflow bundle that workers started from dist/ load. */
export const WORKFLOW_BUNDLE_FILE = join(dist, 'workflow-bundle.js');
/** The same with OpenTelemetry's workflow interceptors, for workers that trace. */
export const TRACED_WORKFLOW_BUNDLE_FILE = join(dist, 'workflow-bundle-traced.js');

/** Builds dist/; returns what it did, for a log line. */
export async function buildDist(): Promise<string> {
  const started = Date.now();

  // The CLI: one entry, each command's modules in their own chunk, imported when that command runs.
  // Packages stay external: node_modules is there at run time, and native addons cannot be bundled.
  // Built beside the old one and swapped in, so a dagent already running keeps its chunks.
  const next = join(dist, `cli.${process.pid}`);
  await build({
    entryPoints: { dagent: join(root, 'src/client/main.ts') },
    outdir: next,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  // The process supervisor is started by path, next to the code that starts it.
  await copyFile(join(root, 'src/backends/supervisor.mjs'), join(next, 'supervisor.mjs'));
  const old = join(dist, `cli.old.${process.pid}`);
  await rename(join(dist, 'cli'), old).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
  await rename(next, join(dist, 'cli'));
  await rm(old, { recursive: true, force: true });

  // The workflow bundle, rebuilt only when what goes into it changed: every source file, the
  // lockfile and this script (which holds the bundle's options).
  const key = await sourceHash();
  const bundleFile = WORKFLOW_BUNDLE_FILE;
  const keyFile = join(dist, 'workflow-bundle.key');
  const previous = await readFile(keyFile, 'utf8').catch(() => '');
  if (previous !== key) {
    await mkdir(dist, { recursive: true });
    for (const [file, options] of [[bundleFile, WORKFLOW_BUNDLE_OPTIONS], [TRACED_WORKFLOW_BUNDLE_FILE, TRACED_WORKFLOW_BUNDLE_OPTIONS]] as const) {
      const { code } = await bundleWorkflowCode({ ...options, logger: quietLogger() });
      const { script, sourceMap } = splitSourceMap(code);
      await writeFile(`${file}.map`, sourceMap);
      await writeFile(`${file}.tmp`, script);
      await rename(`${file}.tmp`, file);
    }
    await writeFile(keyFile, key);
  }
  return `built dist/ in ${Date.now() - started} ms${previous === key ? ' (workflow bundle unchanged)' : ''}`;
}

const INLINE_MAP = '//# sourceMappingURL=data:';

/**
 * The bundle with an empty inline source map, and its real map for a file beside it. The SDK
 * maps every frame of the stack it records for each promise a workflow creates through the inline
 * map: with the real one that cost ~0.1 ms of every workflow task (~0.25 ms of a chain's hop, ~4%
 * of a 500-task fan-out) and 2 MB more for every worker to load. Stack traces of the shipped bundle
 * name the functions and the bundle's lines (it is not minified, and marks each module's path);
 * `workflow-bundle.js.map` maps them back, and a worker run from the sources bundles with its map.
 */
function splitSourceMap(code: string): { script: string; sourceMap: string } {
  // Found as the SDK finds it: the last inline map comment, its data after "base64,".
  const at = code.lastIndexOf(INLINE_MAP);
  const data = at < 0 ? -1 : code.indexOf('base64,', at);
  if (data < 0) throw new Error('the workflow bundle has no inline source map');
  const sourceMap = Buffer.from(code.slice(data + 'base64,'.length).trim(), 'base64').toString('utf8');
  // The SDK requires an inline map (it reads one from every bundle): an empty one maps nothing.
  const empty = Buffer.from(JSON.stringify({ version: 3, sources: [], names: [], mappings: '' })).toString('base64');
  return { script: `${code.slice(0, at)}${INLINE_MAP}application/json;base64,${empty}`, sourceMap };
}

async function sourceHash(): Promise<string> {
  const hash = createHash('sha256');
  const files = (await readdir(join(root, 'src'), { recursive: true })).filter((f) => /\.(ts|mjs|js|json)$/.test(f)).sort();
  for (const file of files) hash.update(file).update('\0').update(await readFile(join(root, 'src', file))).update('\0');
  hash.update(await readFile(join(root, 'package-lock.json')));
  hash.update(await readFile(fileURLToPath(import.meta.url)));
  return hash.digest('hex');
}

function quietLogger() {
  const nothing = () => {};
  return { log: nothing, trace: nothing, debug: nothing, info: nothing, warn: (m: string) => console.warn(m), error: (m: string) => console.error(m) };
}
