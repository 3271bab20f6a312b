// Checks a task's output against its outputSchema: it must parse as JSON (a fenced ```json
// block is accepted) and validate.
import { compileJsonSchema, schemaErrorsText } from '../plan/jsonSchemaCheck';

/** `unusable`: the schema itself cannot be compiled, so asking the model again cannot help. */
export type OutputCheck = { ok: true } | { ok: false; error: string; unusable?: boolean };

export function checkOutput(text: string, schema: Record<string, unknown>): OutputCheck {
  let validate;
  try {
    validate = compileJsonSchema(schema);
  } catch (err) {
    return { ok: false, error: `the outputSchema cannot be used: ${(err as Error).message}`, unusable: true };
  }
  let value: unknown;
  try {
    value = JSON.parse(fencedJson(text) ?? text.trim());
  } catch (err) {
    return { ok: false, error: `the output is not JSON (${(err as Error).message})` };
  }
  return validate(value) ? { ok: true } : { ok: false, error: schemaErrorsText(validate) };
}

/** The body of the first ``` fence, found by index rather than a regex, so any output is scanned once. */
function fencedJson(text: string): string | undefined {
  const open = text.indexOf('```');
  if (open < 0) return undefined;
  const lineEnd = text.indexOf('\n', open);
  if (lineEnd < 0 || !/^(json)?[ \t]*$/i.test(text.slice(open + 3, lineEnd).slice(0, 20))) return undefined;
  const close = text.indexOf('\n```', lineEnd);
  return close < 0 ? undefined : text.slice(lineEnd + 1, close);
}
