// The server config of a four-process Temporal cluster on PostgreSQL (the shape of the server's
// own config/development-postgres12.yaml), every port free and on 127.0.0.1, and the dynamic
// config that gives it the dev server's speed settings.
import { stringify } from 'yaml';

export const CLUSTER_SERVICES = ['frontend', 'history', 'matching', 'worker'] as const;
export type ClusterService = (typeof CLUSTER_SERVICES)[number];

export interface ClusterPorts {
  frontend: { grpc: number; membership: number; http: number };
  history: { grpc: number; membership: number };
  matching: { grpc: number; membership: number };
  worker: { grpc: number; membership: number };
}

/** The same effect as the dev server's speed flags (see temporal/devServer.ts), for a cluster. */
export const CLUSTER_DYNAMIC_CONFIG = {
  'history.transferProcessorMaxPollRPS': [{ value: 10000 }],
  'system.enableActivityEagerExecution': [{ value: true }],
  'matching.useNewMatcher': [{ value: true }],
  // Hundreds of tasks finishing during one workflow task wait for the next, not force-close it.
  'history.maximumBufferedEventsBatch': [{ value: 1000 }],
  // A new search attribute is usable at once, not after the cache's refresh.
  'system.forceSearchAttributesCacheRefreshOnRead': [{ value: true }],
};

export function clusterConfigYaml(options: { postgresPort: number; user: string; ports: ClusterPorts; dynamicConfigFile: string; shards?: number }): string {
  const sql = (databaseName: string, maxConns: number) => ({
    sql: { pluginName: 'postgres12', databaseName, connectAddr: `127.0.0.1:${options.postgresPort}`, connectProtocol: 'tcp', user: options.user, password: '', maxConns, maxIdleConns: maxConns, maxConnLifetime: '1h' },
  });
  const rpc = (p: { grpc: number; membership: number; http?: number }) => ({ rpc: { grpcPort: p.grpc, membershipPort: p.membership, bindOnLocalHost: true, ...(p.http ? { httpPort: p.http } : {}) } });
  return stringify({
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: options.shards ?? 4,
      datastores: { 'postgres-default': sql('temporal', 20), 'postgres-visibility': sql('temporal_visibility', 10) },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' } },
    services: { frontend: rpc(options.ports.frontend), history: rpc(options.ports.history), matching: rpc(options.ports.matching), worker: rpc(options.ports.worker) },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: { active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: `127.0.0.1:${options.ports.frontend.grpc}` } },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: options.dynamicConfigFile, pollInterval: '10s' },
  });
}
