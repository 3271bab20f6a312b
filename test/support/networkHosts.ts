// Separate hosts on one machine: each a Linux network namespace with its own loopback, joined to
// the test's servers by a veth pair on a private bridge (10.213.N.0/24; the bridge is .1). A
// process in a host reaches the servers on the bridge address only: not the machine's 127.0.0.1,
// not the other hosts' loopbacks. Needs root and iproute2 (`ip`).
import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface NetworkHost {
  name: string;
  /** The namespace's name, for `ip netns exec`. */
  namespace: string;
  /** Its address on the bridge. */
  ip: string;
  /** The host side of its link, to cut it (`ip link set … down`). */
  link: string;
}

export interface HostNetwork {
  /** Where the servers listen: the bridge's address in the machine's own namespace. */
  serverIp: string;
  hosts: NetworkHost[];
  /** The command line that runs `argv` inside a host. */
  inHost(host: NetworkHost, argv: string[]): [string, string[]];
  remove(): Promise<void>;
}

/** Why the machine cannot make hosts, or undefined when it can. */
export async function hostNetworkUnavailable(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'not root';
  try {
    await run('ip', ['-V']);
    return undefined;
  } catch {
    return 'iproute2 (`ip`) is not installed';
  }
}

export async function createHostNetwork(names: string[]): Promise<HostNetwork> {
  const tag = randomInt(10_000, 99_999).toString(36);
  const subnet = `10.213.${randomInt(1, 254)}`;
  const bridge = `dgb${tag}`;
  const made: Array<() => Promise<unknown>> = [];
  const ip = (...args: string[]) => run('ip', args);
  const remove = async () => {
    for (const undo of made.reverse()) await undo().catch(() => undefined);
  };
  try {
    await ip('link', 'add', bridge, 'type', 'bridge');
    made.push(() => ip('link', 'del', bridge));
    await ip('addr', 'add', `${subnet}.1/24`, 'dev', bridge);
    await ip('link', 'set', bridge, 'up');
    const hosts: NetworkHost[] = [];
    for (const [i, name] of names.entries()) {
      const namespace = `dagent-${tag}-${name}`;
      const link = `dgv${tag}${i}`;
      await ip('netns', 'add', namespace);
      made.push(() => ip('netns', 'del', namespace));
      await ip('link', 'add', link, 'type', 'veth', 'peer', 'name', `${link}p`);
      made.push(() => ip('link', 'del', link));
      await ip('link', 'set', `${link}p`, 'netns', namespace);
      await ip('link', 'set', link, 'master', bridge);
      await ip('link', 'set', link, 'up');
      const hostIp = `${subnet}.${i + 2}`;
      await ip('-n', namespace, 'link', 'set', 'lo', 'up');
      await ip('-n', namespace, 'addr', 'add', `${hostIp}/24`, 'dev', `${link}p`);
      await ip('-n', namespace, 'link', 'set', `${link}p`, 'up');
      hosts.push({ name, namespace, ip: hostIp, link });
    }
    return {
      serverIp: `${subnet}.1`,
      hosts,
      inHost: (host, argv) => ['ip', ['netns', 'exec', host.namespace, ...argv]],
      remove,
    };
  } catch (err) {
    await remove();
    throw err;
  }
}

/**
 * Listens on `host:port` and forwards each connection to `target`. The Temporal dev server's own
 * services talk to each other on 127.0.0.1 whatever `--ip` it is given, so it stays on loopback
 * and the hosts reach it through this forwarder on the bridge.
 */
export async function forwardTcp(host: string, target: { host: string; port: number }): Promise<{ address: string; close(): Promise<void> }> {
  const { createServer, connect } = await import('node:net');
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((inbound) => {
    const outbound = connect(target.port, target.host);
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
      s.on('error', () => (inbound.destroy(), outbound.destroy()));
    }
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, host, resolve));
  const { port } = server.address() as { port: number };
  return {
    address: `${host}:${port}`,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
