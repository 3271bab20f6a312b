// Loaded once per workflow thread, before any run (the bundle's preloadModules): zod's modules
// then serve every run instead of being evaluated again in each (the SDK shares and freezes what
// is loaded before the first run). Preloading 'zod' by name does not do this: the bundler resolves
// that `require` to zod's CommonJS build, which nothing else uses, and drops it as unused.
import { z } from 'zod';

// Without code generated from strings: zod would compile a parser for each object schema with
// `new Function`, inside the sandbox, once per run (a run builds its schemas anew), to parse the
// run's input once; interpreted, the first workflow task is ~2 ms shorter.
z.config({ jitless: true });
// Zod sets its other defaults (error messages, the memoizer) when the first schema is made: made
// here, before the SDK freezes the shared modules, as later runs could not.
z.object({ loaded: z.string() }).safeParse({ loaded: 'zod' });
