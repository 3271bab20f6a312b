// Checks a task's output against its outputSchema: it must parse as JSON (a fenced ```json
// block is accepted) and validate.
import Ajv from 'ajv';

export type OutputCheck = { ok: true } | { ok: false; error: string };

export function checkOutput(text: string, schema: Record<string, unknown>): OutputCheck {
  const fenced = /```(?:json)?\s*\n([\s\S]*?)\n```/.exec(text);
  let value: unknown;
  try {
    value = JSON.parse(fenced ? fenced[1]! : text.trim());
  } catch (err) {
    return { ok: false, error: `the output is not JSON (${(err as Error).message})` };
  }
  const ajv = new Ajv({ strict: false, allErrors: true });
  const validate = ajv.compile(schema);
  return validate(value) ? { ok: true } : { ok: false, error: ajv.errorsText(validate.errors, { dataVar: 'output' }) };
}
