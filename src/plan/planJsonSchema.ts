// JSON Schemas generated from the zod schemas: the canonical Plan (the decompose tool's input
// schema) and the plan file format published at schema/plan.schema.json for editors.
import { z } from 'zod';
import { PlanFileSchema, PlanSchema } from './schema';

/** The planner's tool schema: the plan without mcpServers, which only a person may declare. */
export function planJsonSchema(): Record<string, unknown> {
  const { $schema: _drop, ...schema } = z.toJSONSchema(PlanSchema.omit({ mcpServers: true }), { io: 'input' }) as Record<string, unknown>;
  return schema;
}

export function planFileJsonSchema(): Record<string, unknown> {
  return {
    ...(z.toJSONSchema(PlanFileSchema, { io: 'input' }) as Record<string, unknown>),
    title: 'dagent plan file',
  };
}

export function planFileJsonSchemaText(): string {
  return `${JSON.stringify(planFileJsonSchema(), null, 2)}\n`;
}
