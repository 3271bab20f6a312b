// The worker's metrics port: /metrics is the Temporal SDK's Prometheus exporter (the SDK's own
// metrics and dagent's, recorded through the SDK's meter), served from an internal address and
// passed through here so that /healthz can share the port; /healthz answers 200 while the
// worker's pollers are live and 503 otherwise, with the details as JSON.
import { createServer, type Server } from 'node:http';
import type { WorkerHealth } from './workerHealth';

export interface MetricsServer {
  /** host:port it listens on. */
  address: string;
  close(): Promise<void>;
}

export async function startMetricsServer(options: { bind: string; sdkExporter: string; health: () => WorkerHealth }): Promise<MetricsServer> {
  const { host, port } = splitBind(options.bind);
  const server: Server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') return void res.writeHead(405).end();
    if (path === '/healthz') {
      const health = options.health();
      res.writeHead(health.live ? 200 : 503, { 'content-type': 'application/json' }).end(`${JSON.stringify(health)}\n`);
      return;
    }
    if (path !== '/metrics') return void res.writeHead(404, { 'content-type': 'text/plain' }).end('dagent worker: /metrics and /healthz\n');
    try {
      const upstream = await fetch(`http://${options.sdkExporter}/metrics`);
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'text/plain; version=0.0.4' }).end(await upstream.text());
    } catch (err) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end(`the SDK's metrics exporter did not answer: ${(err as Error).message}\n`);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    address: `${host}:${(server.address() as { port: number }).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function splitBind(bind: string): { host: string; port: number } {
  const at = bind.lastIndexOf(':');
  return { host: bind.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(bind.slice(at + 1)) };
}
