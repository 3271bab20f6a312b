// `s3://bucket/prefix` → bucket and key prefix, for DAGENT_STORE and for messages that name where
// a result was looked for.
import { resultKeySegments } from './resultKey';
import { StoreConfigError } from './storeConfigError';

export interface S3Location {
  bucket: string;
  /** Plain segments joined by `/`, without leading or trailing slash; '' for the bucket's root. */
  prefix: string;
}

export class S3LocationError extends StoreConfigError {
  constructor(
    readonly url: string,
    reason: string,
  ) {
    super(`DAGENT_STORE is "${url}", which is not a usable S3 location: ${reason}. Write it as s3://bucket or s3://bucket/prefix`);
    this.name = 'S3LocationError';
  }
}

// Bucket names per the S3 rules (3–63 lowercase letters, digits, dots and hyphens); S3-compatible
// servers accept at least these.
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function parseS3Location(url: string): S3Location {
  const match = /^s3:\/\/([^/]*)\/?(.*)$/.exec(url);
  if (!match) throw new S3LocationError(url, 'it does not start with s3://');
  const [, bucket, rest] = match;
  if (!bucket) throw new S3LocationError(url, 'the bucket name is missing');
  if (!BUCKET.test(bucket)) throw new S3LocationError(url, `"${bucket}" is not a valid bucket name`);
  // A trailing slash is common and harmless; anything else odd in the prefix is refused with the
  // same rule as keys, so a prefix never hides `..` or an empty segment.
  const prefix = rest!.replace(/\/+$/, '');
  if (prefix) {
    try {
      resultKeySegments(prefix);
    } catch {
      throw new S3LocationError(url, `the prefix "${prefix}" has an empty, "." or ".." segment or a backslash`);
    }
  }
  return { bucket: bucket!, prefix };
}

export function formatS3Location({ bucket, prefix }: S3Location): string {
  return prefix ? `s3://${bucket}/${prefix}` : `s3://${bucket}`;
}
