// Finds the `versitygw` S3 gateway, or builds it once with Go into our cache (see
// provision/goBinary.ts). Tests and CI use it as a real S3 server on one machine.
import { goBinaryCacheDir, installHint, provisionGoBinary, type GoBinary, type ProvisionOptions } from '../provision/goBinary';

export const VERSITYGW_VERSION = 'v1.8.0';

export class VersitygwMissingError extends Error {
  constructor(reason: string) {
    super(`the VersityGW S3 gateway (versitygw) was not found: ${reason}.\n${installHint(VERSITYGW)}`);
    this.name = 'VersitygwMissingError';
  }
}

const VERSITYGW: GoBinary = {
  name: 'versitygw',
  title: 'VersityGW',
  version: VERSITYGW_VERSION,
  goPackage: `github.com/versity/versitygw/cmd/versitygw@${VERSITYGW_VERSION}`,
  pathVariable: 'VERSITYGW_PATH',
  cacheName: `versitygw-${VERSITYGW_VERSION}`,
  missing: (reason) => new VersitygwMissingError(reason),
};

export function versitygwCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return goBinaryCacheDir(VERSITYGW, env);
}

/** $VERSITYGW_PATH, then PATH, then our cache, then a one-time `go install` into the cache. */
export function provisionVersitygw(options: ProvisionOptions = {}): Promise<string> {
  return provisionGoBinary(VERSITYGW, options);
}
