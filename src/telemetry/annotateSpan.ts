// Attributes on the span of the activity at work (task id, backend, model, tokens), through the
// OpenTelemetry API alone: without a tracer provider (tracing off) there is no span and this does
// nothing, so activities call it unconditionally.
import { context, trace } from '@opentelemetry/api';

export function annotateSpan(attributes: Record<string, string | number | undefined>): void {
  const span = trace.getSpan(context.active());
  if (!span) return;
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) span.setAttribute(key, value);
}
