// JSON Schema checks for a task's outputSchema, with RE2 as the regex engine of `pattern` and
// `patternProperties`: RE2 matches in linear time, so a pattern such as `^(a+)+$` cannot freeze
// the worker's event loop (with JavaScript's backtracking engine one check took ~40 s). Patterns
// RE2 does not support (look-arounds, back-references) are refused when the plan is checked.
// Not for workflow code: ajv generates code at run time.
import type Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import { createRequire } from 'node:module';
import { RE2JS } from 're2js';

const re2 = Object.assign((pattern: string) => RE2JS.compile(pattern), { code: 're2js' });

// Loaded on first use: most plans have no outputSchema, and ajv is a tenth of a second to load.
const require = createRequire(import.meta.url);
let AjvClass: typeof Ajv | undefined;

function newAjv(): Ajv {
  AjvClass ??= (require('ajv') as { default: typeof Ajv }).default;
  return new AjvClass({ strict: false, allErrors: true, code: { regExp: re2 } });
}

export function compileJsonSchema(schema: object): ValidateFunction {
  return newAjv().compile(schema);
}

/** Why a schema cannot be used, or undefined when it can. */
export function jsonSchemaError(schema: object): string | undefined {
  try {
    compileJsonSchema(schema);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

export function schemaErrorsText(validate: ValidateFunction): string {
  return newAjv().errorsText(validate.errors, { dataVar: 'output' });
}
