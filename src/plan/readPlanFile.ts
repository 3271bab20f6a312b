// Reads a plan file (JSON or YAML, or `-` for stdin) into a canonical, validated Plan, or a
// PlanFileError that lists every problem with the file, task and field.
import { readFile, stat } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { Plan } from './schema';
import { outputSchemaProblems } from './outputSchemaProblems';
import { MAX_PLAN_DEPTH, nestingDepth, validatePlan, type PlanProblem } from './validatePlan';
export { PlanFileError } from './planFileError';
import { PlanFileError } from './planFileError';

export const MAX_PLAN_FILE_BYTES = 10 * 1024 * 1024;

/** The file's data, parsed but not yet validated. */
export async function readPlanData(file: string, stdin: NodeJS.ReadableStream = process.stdin): Promise<unknown> {
  const fail = (message: string) => new PlanFileError(file, [{ path: '(file)', message }]);
  let bytes: Buffer;
  if (file === '-') {
    bytes = await readLimited(stdin, MAX_PLAN_FILE_BYTES, () => fail(`standard input is over ${MAX_PLAN_FILE_BYTES} bytes`));
  } else {
    const info = await stat(file).catch((err: NodeJS.ErrnoException) => {
      throw fail(err.code === 'ENOENT' ? 'no such file' : err.message);
    });
    if (!info.isFile()) throw fail('not a file');
    if (info.size > MAX_PLAN_FILE_BYTES) throw fail(`file is ${info.size} bytes; the limit is ${MAX_PLAN_FILE_BYTES}`);
    bytes = await readFile(file);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw fail('not valid UTF-8 text');
  }
  // Checked on the text first: the YAML parser recurses, and on very deep brackets it can take
  // the whole process down rather than throw.
  if (bracketDepth(text, MAX_PLAN_DEPTH + 1) > MAX_PLAN_DEPTH) throw fail(`nested too deeply: more than ${MAX_PLAN_DEPTH} levels of objects and lists`);
  let data: unknown;
  try {
    // A .json file must be JSON; the YAML parser then reads every file, because it refuses
    // duplicate keys (JSON.parse lets the last one win silently) and caps aliases so a bomb
    // cannot expand.
    if (file.endsWith('.json')) JSON.parse(text);
    data = parseYaml(text, { maxAliasCount: 100, uniqueKeys: true, prettyErrors: true });
  } catch (err) {
    if (err instanceof RangeError || /Maximum call stack/.test((err as Error).message)) throw fail(`nested too deeply: more than ${MAX_PLAN_DEPTH} levels of objects and lists`);
    throw fail(`cannot parse: ${(err as Error).message.split('\n')[0]}`);
  }
  if (nestingDepth(data, MAX_PLAN_DEPTH) > MAX_PLAN_DEPTH) throw fail(`nested too deeply: more than ${MAX_PLAN_DEPTH} levels of objects and lists`);
  return data;
}

export async function readPlanFile(file: string, transform: (data: unknown) => unknown = (d) => d): Promise<Plan> {
  const result = validatePlan(transform(await readPlanData(file)));
  if (!result.ok) throw new PlanFileError(file, result.problems);
  const schemaProblems = outputSchemaProblems(result.plan);
  if (schemaProblems.length > 0) throw new PlanFileError(file, schemaProblems);
  return result.plan;
}

async function readLimited(stream: NodeJS.ReadableStream, limit: number, tooBig: () => Error): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > limit) throw tooBig();
    parts.push(buffer);
  }
  return Buffer.concat(parts);
}

/** The deepest nesting of [ and { outside quoted strings, counted up to `stopAt`. */
function bracketDepth(text: string, stopAt: number): number {
  let depth = 0;
  let deepest = 0;
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') {
      deepest = Math.max(deepest, ++depth);
      if (deepest >= stopAt) return deepest;
    } else if (c === ']' || c === '}') depth = Math.max(0, depth - 1);
  }
  return deepest;
}
