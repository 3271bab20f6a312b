// docker-compose.yml and the Dockerfile, checked statically: no Docker engine runs here.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { TEMPORAL_SERVER_VERSION } from '../src/cluster/temporalServerBinaries';
import { CLUSTER_DYNAMIC_CONFIG } from '../src/cluster/temporalClusterConfig';
import { DEV_SERVER_SEARCH_ATTRIBUTES } from '../src/run/searchAttributes';

const root = new URL('../', import.meta.url);
const compose = parse(readFileSync(new URL('docker-compose.yml', root), 'utf8')) as {
  services: Record<string, { image?: string; build?: string; command?: string[]; healthcheck?: { test: string[] }; volumes?: string[]; environment?: Record<string, string>; ports?: string[]; depends_on?: string[] | Record<string, unknown> }>;
  volumes: Record<string, unknown>;
};
const dockerfile = readFileSync(new URL('Dockerfile', root), 'utf8');

describe('docker-compose.yml', () => {
  const { services } = compose;

  it('has Temporal on PostgreSQL set up as the cluster suite does, the Web UI and a dagent worker', () => {
    expect(Object.keys(services).sort()).toEqual(['dagent-worker', 'postgresql', 'temporal', 'temporal-namespace', 'temporal-schema', 'temporal-ui']);
    // The versions the cluster suite runs: server v1.32.1, PostgreSQL 15.
    expect(services.temporal!.image).toBe(`temporalio/server:${TEMPORAL_SERVER_VERSION.slice(1)}`);
    expect(services.postgresql!.image).toMatch(/^postgres:15\./);
    expect(services.temporal!.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql', POSTGRES_USER: services.postgresql!.environment!.POSTGRES_USER });
    expect(services.temporal!.environment!.POSTGRES_PWD).toBe(services.postgresql!.environment!.POSTGRES_PASSWORD);
    expect(services.temporal!.ports).toContain('7233:7233');
    expect(services['temporal-ui']!.environment!.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(services['temporal-ui']!.ports).toContain('8233:8080');
  });

  it('sets up the same schemas, dynamic config, namespace and search attributes as the cluster suite', () => {
    const schemaStep = JSON.stringify(services['temporal-schema']!);
    expect(schemaStep).toContain('postgresql/v12/temporal');
    expect(schemaStep).toContain('postgresql/v12/visibility');
    const namespaceStep = JSON.stringify(services['temporal-namespace']!);
    for (const attribute of DEV_SERVER_SEARCH_ATTRIBUTES) {
      const [name, type] = attribute.split('=');
      expect(namespaceStep).toContain(`--name ${name} --type ${type}`);
    }
    expect(parse(readFileSync(new URL('deploy/dynamicconfig.yaml', root), 'utf8'))).toEqual(CLUSTER_DYNAMIC_CONFIG);
    expect(JSON.stringify(services.temporal!)).toContain('./deploy/dynamicconfig.yaml');
  });

  it('points the worker at the temporal service and takes the key from the host environment only', () => {
    const worker = services['dagent-worker']!;
    expect(worker.environment!.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(worker.environment!.ANTHROPIC_API_KEY).toMatch(/^\$\{ANTHROPIC_API_KEY:\?.+\}$/);
    expect(worker.build).toBe('.');
    expect(worker.command!.slice(0, 1)).toEqual(['worker']);
  });

  it('exposes the worker\'s metrics port and checks its health on that port (the command itself is run in test/metrics.test.ts)', () => {
    const worker = services['dagent-worker']!;
    const port = worker.command![worker.command!.indexOf('--metrics-port') + 1]!;
    expect(port).toMatch(/^\d+$/);
    expect(worker.ports).toContain(`${port}:${port}`);
    expect(worker.healthcheck!.test.join(' ')).toContain(`http://127.0.0.1:${port}/healthz`);
  });

  it('pins every image and references only services and volumes it defines', () => {
    for (const [name, service] of Object.entries(services)) {
      if (service.image) expect(service.image, name).toMatch(/:[0-9][\w.-]*$/);
      const deps = Array.isArray(service.depends_on) ? service.depends_on : Object.keys(service.depends_on ?? {});
      for (const dep of deps) expect(Object.keys(services), `${name} depends on ${dep}`).toContain(dep);
    }
    const text = readFileSync(new URL('docker-compose.yml', root), 'utf8');
    for (const [, volume] of text.matchAll(/^\s+- ([\w-]+):\/[\w/]+$/gm)) expect(Object.keys(compose.volumes)).toContain(volume);
  });

  it('builds a worker image from files that exist, running the real CLI', () => {
    for (const [, source] of dockerfile.matchAll(/^COPY (\S+(?: \S+)*) \S+$/gm)) {
      for (const path of source!.split(' ')) expect(existsSync(new URL(path, root)), `COPY ${path}`).toBe(true);
    }
    expect(dockerfile).toContain('ENTRYPOINT ["node", "bin/dagent.js"]');
    // `npm ci` runs `prepare`, which builds dist/ from what was copied in: the build must find
    // its script and the sources before it runs, and the build tools go only after it.
    const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.prepare).toContain('build');
    const install = dockerfile.indexOf('RUN npm ci');
    expect(install).toBeGreaterThan(0);
    for (const copied of ['COPY src', 'COPY scripts', 'COPY bin']) expect(dockerfile.indexOf(copied), copied).toBeLessThan(install);
    expect(dockerfile.slice(install)).toMatch(/^RUN npm ci [^\n]*&& npm prune --omit=dev/);
  });
});
