// Writes schema/plan.schema.json from the zod schema: `npm run schema`. A test keeps it in sync.
import { mkdir, writeFile } from 'node:fs/promises';
import { planFileJsonSchemaText } from '../src/plan/planJsonSchema';

await mkdir(new URL('../schema/', import.meta.url), { recursive: true });
await writeFile(new URL('../schema/plan.schema.json', import.meta.url), planFileJsonSchemaText());
console.log('wrote schema/plan.schema.json');
