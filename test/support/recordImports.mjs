// Preload for `node --import`: appends every module URL the process resolves (through the ESM
// loader) to the file in $DAGENT_TEST_IMPORTS_FILE, so a test can see what a command loaded.
import { register } from 'node:module';

register(new URL('./recordImportsHooks.mjs', import.meta.url), { data: { file: process.env.DAGENT_TEST_IMPORTS_FILE } });
