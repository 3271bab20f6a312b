// The Plan's JSON Schema, generated from the zod schema: the decompose tool's input schema and
// the file editors use (schema/plan.schema.json).
import { z } from 'zod';
import { PlanSchema } from './schema';

export function planJsonSchema(): Record<string, unknown> {
  const { $schema: _drop, ...schema } = z.toJSONSchema(PlanSchema, { io: 'input' }) as Record<string, unknown>;
  return schema;
}
