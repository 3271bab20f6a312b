// Payload encryption: AES-256-GCM on client and worker with key ids and rotation; a run's
// history holds no prompt or output in plain text; the codec server decodes it for the Web UI.
import type { Payload } from '@temporalio/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCodecServer, type CodecServer } from '../src/codec/codecServer';
import { EncryptionCodec, parseEncryptionKeys } from '../src/codec/encryptionCodec';
import { defaultHandler, type Handler } from './support/fakeAnthropic';
import { startTestEnv, type TestEnv } from './support/testEnv';

const keyA = randomBytes(32).toString('base64');
const keyB = randomBytes(32).toString('base64');
const codec = new EncryptionCodec(parseEncryptionKeys(`a:${keyA}`));
const echo: Handler = (req) => (req.kind === 'task' ? { text: `answer about ${/secret-[\w-]+/.exec(req.prompt)?.[0]}` } : defaultHandler(req));

let encrypted: TestEnv;
let plain: TestEnv;
let server: CodecServer;
beforeAll(async () => {
  encrypted = await startTestEnv(echo, { codec });
  plain = await startTestEnv(echo);
  server = await startCodecServer(codec, { port: 0, corsOrigins: ['http://localhost:8233'] });
});
afterAll(async () => {
  await server?.close();
  await encrypted?.close();
  await plain?.close();
});

/** Every payload in a history, with its data decoded from bytes to text. */
function payloadsOf(history: unknown): Payload[] {
  const found: Payload[] = [];
  const walk = (node: unknown) => {
    if (!node || typeof node !== 'object') return;
    if ('metadata' in node && 'data' in node && (node as Payload).metadata) found.push(node as Payload);
    for (const value of Object.values(node)) walk(value);
  };
  walk(history);
  return found;
}
const text = (p: Payload) => Buffer.from(p.data ?? []).toString('utf8');

describe('the codec', () => {
  it('round-trips payloads and keeps decrypting old payloads after a key rotation', async () => {
    const payload: Payload = { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('"hello"') };
    const [sealed] = await codec.encode([payload]);
    expect(Buffer.from(sealed!.metadata!['encryption-key-id']!).toString()).toBe('a');
    expect(text(sealed!)).not.toContain('hello');
    const rotated = new EncryptionCodec(parseEncryptionKeys(`b:${keyB},a:${keyA}`));
    expect(text((await rotated.decode([sealed!]))[0]!)).toBe('"hello"');
    expect(Buffer.from((await rotated.encode([payload]))[0]!.metadata!['encryption-key-id']!).toString()).toBe('b');
    await expect(new EncryptionCodec(parseEncryptionKeys(`b:${keyB}`)).decode([sealed!])).rejects.toThrow('no key "a" to decrypt this payload');
  });

  it('rejects keys that are not 32 bytes, naming the variable', () => {
    expect(() => parseEncryptionKeys('short:AAAA')).toThrow('DAGENT_ENCRYPTION_KEY: key "short" is 3 bytes; AES-256 needs 32');
  });
});

describe('an encrypted run', () => {
  it('leaves no prompt or output text in plain text in its history; the codec server decodes it', async () => {
    const secret = `secret-${randomUUID()}`;
    const plan = { tasks: [{ id: 'E1', title: 'Encrypted', prompt: `Think about ${secret}.` }] };
    const handle = await encrypted.start({ plan });
    expect((await encrypted.result(handle)).tasks[0]!.output).toBe(`answer about ${secret}`);
    const history = await handle.fetchHistory();
    const payloads = payloadsOf(history);
    expect(payloads.length).toBeGreaterThan(3);
    expect(payloads.filter((p) => text(p).includes(secret))).toEqual([]);
    expect(payloads.some((p) => Buffer.from(p.metadata!.encoding ?? []).toString() === 'binary/encrypted')).toBe(true);

    // The same scan on a run without encryption finds the text: the scan can fail.
    const control = `secret-${randomUUID()}`;
    const plainHandle = await plain.start({ plan: { tasks: [{ id: 'P1', title: 'Plain', prompt: `Think about ${control}.` }] } });
    await plainHandle.result();
    expect(payloadsOf(await plainHandle.fetchHistory()).some((p) => text(p).includes(control))).toBe(true);

    // The Web UI asks the codec server to decode, with CORS.
    const input = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    const asJson = { metadata: Object.fromEntries(Object.entries(input.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])), data: Buffer.from(input.data!).toString('base64') };
    const preflight = await fetch(`${server.url}/decode`, { method: 'OPTIONS', headers: { origin: 'http://localhost:8233' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('x-namespace');
    const response = await fetch(`${server.url}/decode`, { method: 'POST', headers: { origin: 'http://localhost:8233', 'content-type': 'application/json', 'x-namespace': 'default' }, body: JSON.stringify({ payloads: [asJson] }) });
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:8233');
    const decoded = (await response.json()) as { payloads: Array<{ data: string }> };
    expect(Buffer.from(decoded.payloads[0]!.data, 'base64').toString()).toContain(secret);
    const stranger = await fetch(`${server.url}/decode`, { method: 'POST', headers: { origin: 'http://evil.example', 'content-type': 'application/json' }, body: JSON.stringify({ payloads: [] }) });
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
  });
});
