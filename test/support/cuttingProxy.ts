// A proxy in front of the test LLM server that cuts chosen answers mid-stream: the client gets
// the response headers and the first text delta (flushed, so the answer is really under way),
// then the connection drops. fakeAnthropic's own `cutStream` reply writes and destroys in one
// tick, so the client never sees the answer begin and the cut looks like a reset.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from '../../src/http/readBody';

export interface CuttingProxy {
  url: string;
  /** Requests answered so far, cut or not. */
  requests: number;
  close(): Promise<void>;
}

/** `cut(n)` decides for the n-th request (0-based) whether its answer is cut. */
export async function startCuttingProxy(target: string, cut: (n: number) => boolean): Promise<CuttingProxy> {
  const state = { requests: 0 };
  const server = createServer(async (req, res) => {
    const n = state.requests++;
    const upstream = await fetch(`${target}${req.url}`, { method: req.method, headers: forwardHeaders(req), body: await readBody(req) });
    const body = await upstream.text();
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
    const firstDelta = body.indexOf('event: content_block_delta');
    if (!cut(n) || upstream.status !== 200 || firstDelta < 0) {
      res.end(body);
      return;
    }
    const end = body.indexOf('\n\n', firstDelta) + 2;
    res.write(body.slice(0, end), () => setTimeout(() => res.socket?.destroy(), 50));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return state.requests;
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function forwardHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string' && !['host', 'content-length', 'connection'].includes(name)) headers[name] = value;
  }
  return headers;
}
