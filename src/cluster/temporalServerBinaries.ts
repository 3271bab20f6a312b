// The Temporal server and its schema tool, built from Go source once into our cache (see
// provision/goBinary.ts). The cluster suite runs them as four real services on PostgreSQL.
// v1.32.1 is the newest tag this machine's Go (1.26.8, GOTOOLCHAIN=local) can build.
import { installHint, provisionGoBinary, type GoBinary, type ProvisionOptions } from '../provision/goBinary';

export const TEMPORAL_SERVER_VERSION = 'v1.32.1';

export class TemporalServerMissingError extends Error {
  constructor(binary: string, reason: string, hint: string) {
    super(`the Temporal ${binary} was not found: ${reason}.\n${hint}`);
    this.name = 'TemporalServerMissingError';
  }
}

function temporalGoBinary(name: string, title: string, goPackage: string, pathVariable: string): GoBinary {
  const binary: GoBinary = {
    name,
    title,
    version: TEMPORAL_SERVER_VERSION,
    goPackage: `${goPackage}@${TEMPORAL_SERVER_VERSION}`,
    pathVariable,
    cacheName: `temporal-${name}-${TEMPORAL_SERVER_VERSION}`,
    missing: (reason) => new TemporalServerMissingError(title, reason, installHint(binary)),
    searchPath: false,
  };
  return binary;
}

const SERVER = temporalGoBinary('server', 'server', 'go.temporal.io/server/cmd/server', 'TEMPORAL_SERVER_PATH');
const SQL_TOOL = temporalGoBinary('sql', 'SQL schema tool', 'go.temporal.io/server/cmd/tools/sql', 'TEMPORAL_SQL_TOOL_PATH');

export interface TemporalServerBinaries {
  server: string;
  sqlTool: string;
}

/** Both binaries, each from $TEMPORAL_SERVER_PATH / $TEMPORAL_SQL_TOOL_PATH or our cache, else built. */
export async function provisionTemporalServer(options: ProvisionOptions = {}): Promise<TemporalServerBinaries> {
  const server = await provisionGoBinary(SERVER, options);
  const sqlTool = await provisionGoBinary(SQL_TOOL, options);
  return { server, sqlTool };
}
