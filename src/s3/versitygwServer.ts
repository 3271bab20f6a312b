// Starts VersityGW serving a local directory as S3 (its posix backend) on a free port, waits until
// it answers a signed request, and creates a bucket: a real S3 server for tests and local trials.
import { CreateBucketCommand, ListBucketsCommand, type S3Client } from '@aws-sdk/client-s3';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, open } from 'node:fs/promises';
import { freePort } from '../temporal/devServer';
import { s3ClientFromEnv } from '../store/s3ClientFromEnv';
import { provisionVersitygw } from './versitygwBinary';
import { stopProcess } from '../provision/stopProcess';

export interface VersitygwOptions {
  /** The directory whose subdirectories are the buckets. */
  dir: string;
  bucket: string;
  accessKey?: string;
  secretKey?: string;
  /** The address it listens on (default 127.0.0.1). */
  host?: string;
  port?: number;
  /** Where the gateway's own output goes; discarded otherwise. */
  logFile?: string;
  readyTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface Versitygw {
  /** http://HOST:PORT, for AWS_ENDPOINT_URL. */
  endpoint: string;
  bucket: string;
  accessKey: string;
  secretKey: string;
  /** The AWS variables that point a dagent worker or CLI at this server. */
  env: Record<string, string>;
  /** A client for this server, e.g. to list what a run stored. */
  client: S3Client;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function startVersitygw(options: VersitygwOptions): Promise<Versitygw> {
  const binary = await provisionVersitygw({ log: options.log });
  const port = options.port ?? (await freePort());
  const accessKey = options.accessKey ?? 'dagent-test-access';
  const secretKey = options.secretKey ?? 'dagent-test-secret-not-a-secret';
  await mkdir(options.dir, { recursive: true });

  const logFile = options.logFile ? await open(options.logFile, 'a') : undefined;
  const stdio: Array<'ignore' | number> = logFile ? ['ignore', logFile.fd, logFile.fd] : ['ignore', 'ignore', 'ignore'];
  const host = options.host ?? '127.0.0.1';
  const child = spawn(binary, ['--port', `${host}:${port}`, '--access', accessKey, '--secret', secretKey, 'posix', options.dir], { stdio });
  await logFile?.close(); // the child has its own copy of the descriptor

  const endpoint = `http://${host}:${port}`;
  const env = { AWS_ENDPOINT_URL_S3: endpoint, AWS_ACCESS_KEY_ID: accessKey, AWS_SECRET_ACCESS_KEY: secretKey, AWS_REGION: 'us-east-1' };
  // Configured the way a worker configures its store, from the same variables.
  const client = s3ClientFromEnv(env);
  const stop = async () => {
    client.destroy();
    await stopProcess(child);
  };

  const exited = new Promise<never>((_, reject) => {
    child.once('exit', (code, signal) => reject(new Error(`versitygw exited early (code ${code}, signal ${signal})${options.logFile ? `; see ${options.logFile}` : ''}`)));
    child.once('error', reject);
  });
  exited.catch(() => {}); // raced below; once ready, a later exit is stop()'s business
  try {
    await Promise.race([waitUntilServing(client, endpoint, options.readyTimeoutMs ?? 30_000), exited]);
    child.removeAllListeners('exit');
    await client.send(new CreateBucketCommand({ Bucket: options.bucket }));
  } catch (err) {
    await stop();
    throw err;
  }
  return { endpoint, bucket: options.bucket, accessKey, secretKey, env, client, process: child, stop };
}

/** Listening is not enough: a signed call must succeed, which also proves the keys are right. */
async function waitUntilServing(client: S3Client, endpoint: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no answer';
  while (Date.now() < deadline) {
    try {
      await client.send(new ListBucketsCommand({}));
      return;
    } catch (err) {
      lastError = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`versitygw at ${endpoint} did not answer within ${timeoutMs} ms: ${lastError}`);
}
