// OpenTelemetry traces through Temporal's interceptors: with OTEL_EXPORTER_OTLP_ENDPOINT set, the
// CLI and the workers export spans over OTLP/HTTP, and one trace follows a run from `dagent run`
// through the orchestrate workflow to each task's activity. Loaded only when tracing is on (the
// OTel SDK is not small). The standard OTEL_* variables configure the exporter itself.
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor, OpenTelemetryWorkflowClientInterceptor, makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry';
import type { Context } from '@temporalio/activity';
import type { ActivityInterceptors, InjectedSinks } from '@temporalio/worker';
import type { WorkflowClientInterceptor } from '@temporalio/client';

/** Where spans go, and what service they come from. */
export interface Tracing {
  spanProcessor: SpanProcessor;
  resource: Resource;
}

/** Tracing as the environment asks for it: on when an OTLP endpoint is set. */
export function tracingFromEnv(env: NodeJS.ProcessEnv, serviceName: string): Tracing | undefined {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return undefined;
  return { spanProcessor: new BatchSpanProcessor(new OTLPTraceExporter()), resource: new Resource({ 'service.name': env.OTEL_SERVICE_NAME || serviceName }) };
}

let provider: NodeTracerProvider | undefined;

/** The process's tracer provider (once): activity and client spans are made through it. */
export function installTracing(tracing: Tracing): void {
  if (provider) return;
  provider = new NodeTracerProvider({ resource: tracing.resource, spanProcessors: [tracing.spanProcessor] });
  provider.register();
}

/** Sends what is buffered; call before the process exits. */
export async function flushTracing(): Promise<void> {
  await provider?.forceFlush();
}

/** The client's interceptor: starting a workflow opens the run's trace. */
export function tracingClientInterceptors(): WorkflowClientInterceptor[] {
  return [new OpenTelemetryWorkflowClientInterceptor()];
}

/** The worker's part: activity spans (continuing the workflow's), and the sink that exports the workflow's own spans. */
export function tracingWorkerParts(tracing: Tracing): { activity: (ctx: Context) => ActivityInterceptors; sinks: InjectedSinks<Record<string, never>> } {
  installTracing(tracing);
  return {
    activity: (ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) }),
    sinks: { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) } as unknown as InjectedSinks<Record<string, never>>,
  };
}
