// Connections the Temporal way: a real TLS frontend (nginx terminating TLS and requiring a client
// certificate, grpc_pass to the dev server), certificates made here with openssl, and a TOML
// profile read through @temporalio/envconfig. With the client certificate a run completes; without
// it the CLI says TLS in one line and exits 4.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunResult } from '../src/run/types';
import { freePort as closedPort, isPortOpen } from '../src/temporal/devServer';
import { cleanEnv, spawnDagent } from './support/processes';

let dir: string;
let nginx: ChildProcess | undefined;
let port: number;
let configFile: string;

const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dagent-tls-'));
  // A CA, a server certificate for localhost and 127.0.0.1, and a client certificate, all signed by the CA.
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=dagent test CA');
  // Extensions make v3 certificates: rustls (the worker's native connection) refuses v1.
  await writeFile(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  await writeFile(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const [name, cn] of [['server', 'localhost'], ['client', 'dagent worker']] as const) {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`);
  }
  port = await closedPort();
  const upstream = inject('temporalAddress');
  await writeFile(
    join(dir, 'nginx.conf'),
    [
      'daemon off;',
      'worker_processes 1;',
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/error.log warn;`,
      'events { worker_connections 256; }',
      'http {',
      '  access_log off;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${dir}/${t};`),
      '  server {',
      `    listen 127.0.0.1:${port} ssl http2;`,
      `    ssl_certificate ${dir}/server.crt;`,
      `    ssl_certificate_key ${dir}/server.key;`,
      `    ssl_client_certificate ${dir}/ca.crt;`,
      // A client without a certificate gets the answer a gRPC server gives (UNAUTHENTICATED), not an HTML 400 page.
      '    ssl_verify_client optional;',
      '    location / {',
      '      if ($ssl_client_verify != SUCCESS) {',
      '        add_header content-type application/grpc always;',
      '        add_header grpc-status 16 always;',
      '        add_header grpc-message "client certificate required" always;',
      '        return 200;',
      '      }',
      `      grpc_pass grpc://${upstream};`,
      // Workers long-poll for about a minute: the proxy must wait longer than that.
      '      grpc_read_timeout 600s;',
      '      grpc_send_timeout 600s;',
      '    }',
      '  }',
      '}',
    ].join('\n'),
  );
  nginx = spawn(existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx', ['-c', join(dir, 'nginx.conf'), '-p', dir], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !(await isPortOpen(port)); i++) await new Promise((r) => setTimeout(r, 100));
  configFile = join(dir, 'temporal.toml');
  const profile = (name: string, withClientCert: boolean) =>
    [
      `[profile.${name}]`,
      `address = "127.0.0.1:${port}"`,
      'namespace = "default"',
      `[profile.${name}.tls]`,
      'server_name = "localhost"',
      `server_ca_cert_path = "${dir}/ca.crt"`,
      ...(withClientCert ? [`client_cert_path = "${dir}/client.crt"`, `client_key_path = "${dir}/client.key"`] : []),
    ].join('\n');
  await writeFile(configFile, `${profile('secure', true)}\n\n${profile('nocert', false)}\n`);
});
afterAll(async () => {
  nginx?.kill('SIGTERM');
  await rm(dir, { recursive: true, force: true });
});

const plan = JSON.stringify({ tasks: [{ id: 'A', backend: 'shell', command: 'echo over tls' }, { id: 'B', backend: 'shell', command: 'echo after', dependsOn: ['A'] }] });

describe('a TLS frontend that requires a client certificate', () => {
  it('a run through a profile with the client certificate completes (CLI and in-process worker)', async () => {
    const run = spawnDagent(['run', '--file', '-', '--profile', 'secure', '--json', '--task-queue', `tls-${randomUUID()}`], cleanEnv({ TEMPORAL_CONFIG_FILE: configFile, DAGENT_RESULTS_DIR: join(dir, 'results') }), undefined, plan);
    expect(await run.exited, run.stderr()).toBe(0);
    const result = JSON.parse(run.stdout()) as RunResult;
    expect(result.tasks.map((t) => [t.id, t.status, t.output])).toEqual([['A', 'Completed', 'over tls\n'], ['B', 'Completed', 'after\n']]);
  });

  it('without the client certificate the CLI fails in one line that says TLS, exit 4, no stack trace', async () => {
    const run = spawnDagent(['run', '--file', '-', '--profile', 'nocert', '--task-queue', `tls-${randomUUID()}`], cleanEnv({ TEMPORAL_CONFIG_FILE: configFile }), undefined, plan);
    expect(await run.exited, run.stderr()).toBe(4);
    const lines = run.stderr().trim().split('\n');
    expect(lines, run.stderr()).toHaveLength(1);
    expect(lines[0]).toMatch(/^dagent: cannot reach Temporal at 127\.0\.0\.1:\d+: TLS: the server refused the connection \(client or server certificate; check the profile's tls settings\): .*certificate required/);
    expect(run.stderr()).not.toMatch(/\n\s+at /);
  });

  it('an unknown profile is a usage error naming it', async () => {
    const run = spawnDagent(['status', 'x', '--profile', 'nope'], cleanEnv({ TEMPORAL_CONFIG_FILE: configFile }));
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toContain('cannot read the Temporal connection profile "nope"');
  });
});
