// An S3 client configured from the standard AWS variables of the given environment (the worker's,
// which a test or embedding may pass instead of process.env).
import { S3Client } from '@aws-sdk/client-s3';

export const DEFAULT_S3_REGION = 'us-east-1';

export function s3ClientFromEnv(env: NodeJS.ProcessEnv = process.env): S3Client {
  quietNodeVersionNotice();
  const endpoint = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  return new S3Client({
    region: env.AWS_REGION || DEFAULT_S3_REGION,
    ...(endpoint ? { endpoint } : {}),
    // S3-compatible servers (VersityGW, MinIO, Ceph) are reached at one host name: the bucket goes
    // in the path, not in a virtual host name that no DNS would resolve.
    forcePathStyle: Boolean(endpoint),
    // Keys from this environment when it has them; otherwise the SDK's own chain (profiles,
    // instance and container roles) finds them.
    ...(accessKeyId && secretAccessKey
      ? { credentials: { accessKeyId, secretAccessKey, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) } }
      : {}),
  });
}

/**
 * On Node 20 the SDK prints, once per process, that its releases after January 2027 will need
 * Node 22. We pin one SDK version, so the notice concerns whoever upgrades that pin, not a user;
 * printed, it would land on the stderr that carries `dagent run`'s live table. The SDK reads only
 * this variable to skip it; a value someone set on purpose is kept.
 */
function quietNodeVersionNotice(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
