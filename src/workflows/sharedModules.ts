// Loaded once per workflow thread, before any run (the bundle's preloadModules): zod's modules
// then serve every run instead of being evaluated again in each (the SDK shares and freezes what
// is loaded before the first run). Preloading 'zod' by name does not do this: the bundler resolves
// that `require` to zod's CommonJS build, which nothing else uses, and drops it as unused.
import { z } from 'zod';
import { sharedValue } from '../plan/sharedValue';

// Without code generated from strings: zod would compile a parser for each object schema with
// `new Function`, inside the sandbox, once per run (a run builds its schemas anew), to parse the
// run's input once; interpreted, the first workflow task is ~2 ms shorter.
z.config({ jitless: true });
// Zod sets its other defaults (error messages, the memoizer) when the first schema is made: made
// here, before the SDK freezes the shared modules, as later runs could not.
z.object({ loaded: z.string() }).safeParse({ loaded: 'zod' });

// The SDK records where each promise a workflow makes was created (for the Web UI's stack trace
// view), formatting a stack trace per promise: a 50-task fan-out makes ~350 promises, a chain ~5
// per hop. Six frames is what that view can show of a workflow task anyway (the two frames of the
// SDK's own hook, and the caller's frames up to the sandbox's entry point, are cut from it); V8's
// default of ten walked and formatted the worker's own frames too, only for them to be cut. About
// 8 ms off a 50-task fan-out's workflow code, 0.1 ms off each hop of a chain. Errors thrown in
// workflow code keep their six innermost frames. Set here, before the SDK freezes `Error`.
Error.stackTraceLimit = 6;

// The store of values every run shares (the zod schemas of plans and of operator requests, made by
// the first run): loaded here, so that it is one module for all runs, not one per run.
sharedValue('preloaded', () => true);
