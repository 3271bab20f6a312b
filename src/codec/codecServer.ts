// `dagent codec-server`: the HTTP codec endpoint the Temporal Web UI calls to show encrypted
// payloads in plain text (POST /decode) and to encode input (POST /encode), with CORS for the UI.
import type { Payload, PayloadCodec } from '@temporalio/common';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from '../http/readBody';

/** Payloads as the UI sends them: proto3 JSON, bytes in base64. */
interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

export interface CodecServer {
  url: string;
  close(): Promise<void>;
}

export async function startCodecServer(codec: PayloadCodec, options: { port: number; host?: string; corsOrigins: string[] }): Promise<CodecServer> {
  const server = createServer(async (req, res) => {
    const origin = req.headers.origin;
    if (origin && options.corsOrigins.includes(origin)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-allow-credentials', 'true');
      res.setHeader('access-control-allow-methods', 'POST, OPTIONS');
      res.setHeader('access-control-allow-headers', 'content-type, x-namespace, authorization');
      res.setHeader('vary', 'origin');
    }
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    const route = req.url?.replace(/\/+$/, '');
    if (req.method !== 'POST' || (route !== '/encode' && route !== '/decode')) return reply(res, 404, { error: 'POST /encode or /decode' });
    try {
      const body = JSON.parse(await readBody(req)) as { payloads?: JsonPayload[] };
      if (!Array.isArray(body.payloads)) return reply(res, 400, { error: 'the body needs a "payloads" list' });
      const payloads = body.payloads.map(fromJson);
      const result = route === '/encode' ? await codec.encode(payloads) : await codec.decode(payloads);
      reply(res, 200, { payloads: result.map(toJson) });
    } catch (err) {
      reply(res, 400, { error: (err as Error).message });
    }
  });
  await new Promise<void>((resolve) => server.listen(options.port, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://${options.host ?? '127.0.0.1'}:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function fromJson(p: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(p.data ?? '', 'base64'),
  };
}

function toJson(p: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')])),
    data: Buffer.from(p.data ?? []).toString('base64'),
  };
}

function reply(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

