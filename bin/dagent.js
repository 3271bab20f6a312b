#!/usr/bin/env node
// Runs the compiled CLI from dist/ (built by `npm ci` through `prepare`, or `npm run build`):
// no TypeScript is compiled when dagent starts.
try {
  await import('../dist/cli/dagent.js');
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes('dist/cli/dagent.js')) throw err;
  process.stderr.write('dagent: not built yet: run `npm run build` in the dagent folder (`npm ci` does it too)\n');
  process.exitCode = 2;
}
