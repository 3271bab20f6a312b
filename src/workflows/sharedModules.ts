// Loaded once per workflow thread, before any run (the bundle's preloadModules): zod's modules
// then serve every run instead of being evaluated again in each (the SDK shares and freezes what
// is loaded before the first run). Preloading 'zod' by name does not do this: the bundler resolves
// that `require` to zod's CommonJS build, which nothing else uses, and drops it as unused.
import { z } from 'zod';

// Zod sets its defaults (error messages, the memoizer) when the first schema is made: made here,
// before the SDK freezes the shared modules, as later runs could not.
z.object({ loaded: z.string() }).safeParse({ loaded: 'zod' });
