// A result store in an S3 bucket, so workers on different machines read each other's outputs.
// The AWS SDK is loaded on first use, not when the CLI or a worker starts (it takes ~70 ms).
import type { S3Client } from '@aws-sdk/client-s3';
import type { CollectableStore, StoredEntry } from './collectableStore';
import { resultKeySegments } from './resultKey';
import type { ResultStore } from './resultStore';
import { ResultStoreError } from './resultStoreError';
import { formatS3Location, type S3Location } from './s3Location';

export class S3ResultStore implements ResultStore, CollectableStore {
  /** `s3://bucket/prefix`, for messages. */
  readonly url: string;

  private connection?: Promise<{ sdk: typeof import('@aws-sdk/client-s3'); client: S3Client }>;

  constructor(
    /** Makes the client when the store is first used. */
    private readonly makeClient: () => Promise<S3Client>,
    readonly location: S3Location,
  ) {
    this.url = formatS3Location(location);
  }

  private connect() {
    this.connection ??= Promise.all([import('@aws-sdk/client-s3'), this.makeClient()]).then(([sdk, client]) => ({ sdk, client }));
    return this.connection;
  }

  async put(key: string, text: string): Promise<string> {
    const objectKey = this.objectKeyOf(key);
    // No temporary object and rename as on disk: S3 makes a PUT visible only once the whole body
    // is stored, so a reader sees the previous object or the complete new one, never a part, and
    // of concurrent writers of one key the last complete PUT wins whole.
    try {
      const { sdk, client } = await this.connect();
      await client.send(new sdk.PutObjectCommand({ Bucket: this.location.bucket, Key: objectKey, Body: text, ContentType: 'text/plain; charset=utf-8' }));
    } catch (err) {
      throw new ResultStoreError(`cannot store result "${key}" in ${this.url}: ${describe(err)}`, key);
    }
    // The reference is the key, not the object's URL: a bucket moved or mirrored keeps its refs.
    return key;
  }

  async get(ref: string): Promise<string> {
    const objectKey = this.objectKeyOf(ref);
    try {
      const { sdk, client } = await this.connect();
      const object = await client.send(new sdk.GetObjectCommand({ Bucket: this.location.bucket, Key: objectKey }));
      if (!object.Body) throw new Error('the object has no body');
      return await object.Body.transformToString('utf-8');
    } catch (err) {
      if (isNotFound(err)) throw new ResultStoreError(`result "${ref}" was not found in ${this.url}`, ref);
      throw new ResultStoreError(`cannot read result "${ref}" from ${this.url}: ${describe(err)}`, ref);
    }
  }

  get where(): string {
    return this.url;
  }

  /** Every object under the prefix, keys relative to it. */
  async *entries(): AsyncIterable<StoredEntry> {
    const under = this.location.prefix ? `${this.location.prefix}/` : '';
    const { sdk, client } = await this.connect();
    let token: string | undefined;
    do {
      const page = await client.send(new sdk.ListObjectsV2Command({ Bucket: this.location.bucket, Prefix: under, ContinuationToken: token }));
      for (const object of page.Contents ?? []) {
        if (!object.Key) continue;
        yield { key: object.Key.slice(under.length), modified: object.LastModified ?? new Date(0), bytes: object.Size ?? 0 };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async remove(keys: string[]): Promise<void> {
    const { sdk, client } = await this.connect();
    // DeleteObjects takes at most 1000 keys a call.
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000).map((key) => ({ Key: this.objectKeyOf(key) }));
      const answer = await client.send(new sdk.DeleteObjectsCommand({ Bucket: this.location.bucket, Delete: { Objects: batch, Quiet: true } }));
      const failed = answer.Errors ?? [];
      if (failed.length) {
        throw new ResultStoreError(`could not delete ${failed.length} object(s) from ${this.url}, e.g. "${failed[0]!.Key}": ${failed[0]!.Code} ${failed[0]!.Message ?? ''}`.trim(), failed[0]!.Key ?? '');
      }
    }
  }

  private objectKeyOf(key: string): string {
    const segments = resultKeySegments(key);
    return this.location.prefix ? `${this.location.prefix}/${segments.join('/')}` : segments.join('/');
  }
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  // A missing bucket is a 404 too, but a misconfiguration, not a missing result.
  if (e.name === 'NoSuchBucket') return false;
  return e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404;
}

/** The SDK's message plus its error code, which alone names the cause (AccessDenied, NoSuchBucket). */
function describe(err: unknown): string {
  const e = err as { name?: string; message?: string };
  const text = e.name && e.message && !e.message.includes(e.name) ? `${e.name}: ${e.message}` : (e.message ?? String(err));
  // The SDK's own text names no variable; the worker's fix is in its environment.
  return e.name === 'CredentialsProviderError' ? `${text} (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the worker's environment)` : text;
}
