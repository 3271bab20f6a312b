// Where the workflow code is: its TypeScript entry (bundled by the build) and the prebuilt bundle.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { BundleOptions, WorkerOptions } from '@temporalio/worker';

type Configuration = Parameters<NonNullable<BundleOptions['webpackConfigHook']>>[0];

/** The entry of the workflow bundle, in src/ (meaningful only when running from the sources). */
export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/**
 * Our workflow TypeScript compiled for the Node the workers run (ES2022) instead of the SDK's
 * default ES2017: at ES2017 every object spread becomes a helper call that defines each property
 * in turn, and every `?.`, `??` and class field a helper too; the workflow code runs them at every
 * step of every run.
 */
function modernSyntax(config: Configuration): Configuration {
  for (const rule of config.module?.rules ?? []) {
    if (!rule || typeof rule !== 'object' || !rule.use || typeof rule.use !== 'object' || Array.isArray(rule.use)) continue;
    const { loader, options } = rule.use as { loader?: string; options?: { jsc?: { target?: string } } };
    if (loader?.includes('swc-loader') && options?.jsc) options.jsc.target = 'es2022';
  }
  return config;
}

/**
 * How the bundle is built. zod's modules are loaded once per workflow thread rather than once per
 * run (see sharedModules.ts): that took ~3 ms off every run's first workflow task.
 */
export const WORKFLOW_BUNDLE_OPTIONS = { workflowsPath: WORKFLOWS_PATH, preloadModules: [fileURLToPath(new URL('../workflows/sharedModules.ts', import.meta.url))], webpackConfigHook: modernSyntax };

/** The traced bundle: the same workflows with OpenTelemetry's workflow interceptors, for workers that trace. */
export const TRACED_WORKFLOW_BUNDLE_OPTIONS = { ...WORKFLOW_BUNDLE_OPTIONS, workflowInterceptorModules: [createRequire(import.meta.url).resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')] };

/**
 * The workflows for Worker.create: the bundle `npm run build` wrote to dist/ when this code runs
 * from dist/ (loading it takes milliseconds; bundling takes seconds), else the sources, bundled now.
 */
export function workflowCode(options: { traced?: boolean } = {}): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath' | 'bundlerOptions'> & { workflowModules?: string[] } {
  if (import.meta.url.endsWith('.ts')) {
    return {
      workflowsPath: WORKFLOWS_PATH,
      bundlerOptions: { preloadModules: WORKFLOW_BUNDLE_OPTIONS.preloadModules, webpackConfigHook: modernSyntax },
      // Bundled now: the workflow interceptors go in as Worker.create's interceptors.workflowModules.
      ...(options.traced ? { workflowModules: TRACED_WORKFLOW_BUNDLE_OPTIONS.workflowInterceptorModules } : {}),
    };
  }
  const codePath = fileURLToPath(new URL(options.traced ? '../workflow-bundle-traced.js' : '../workflow-bundle.js', import.meta.url));
  if (!existsSync(codePath)) throw new Error(`the workflow bundle ${codePath} is missing: run \`npm run build\` in the dagent folder`);
  return { workflowBundle: { codePath } };
}
