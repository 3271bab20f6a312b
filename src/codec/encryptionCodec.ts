// AES-256-GCM encryption of every payload (inputs, results, outputs in history), on the client
// and the worker alike. The key id travels in the payload's metadata, so after a rotation the
// old keys still decrypt what they encrypted.
import { dagentSettings, type DagentSettings } from '../settings/dagentSettings';
import type { Payload, PayloadCodec } from '@temporalio/common';
// A CommonJS package: its default export works under Node's ESM loader and bundlers alike.
import proto from '@temporalio/proto';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
export { EncryptionKeyError } from './encryptionKeyError';
import { EncryptionKeyError } from './encryptionKeyError';

const { temporal } = proto;
const ENCODING = 'binary/encrypted';
const KEY_ID_KEY = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class EncryptionCodec implements PayloadCodec {
  /** keys: id → 32-byte key; the first is the one that encrypts. */
  constructor(private readonly keys: Map<string, Buffer>) {
    if (keys.size === 0) throw new EncryptionKeyError('no key given');
  }

  get currentKeyId(): string {
    return this.keys.keys().next().value!;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const keyId = this.currentKeyId;
    const key = this.keys.get(keyId)!;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { encoding: Buffer.from(ENCODING), [KEY_ID_KEY]: Buffer.from(keyId) }, data };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (Buffer.from(payload.metadata?.encoding ?? []).toString() !== ENCODING) return payload;
      const keyId = Buffer.from(payload.metadata?.[KEY_ID_KEY] ?? []).toString();
      const key = this.keys.get(keyId);
      if (!key) throw new EncryptionKeyError(`no key "${keyId}" to decrypt this payload; keep old keys after a rotation`);
      const data = Buffer.from(payload.data ?? []);
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain) as Payload;
    });
  }
}

/**
 * `id:base64key,oldId:base64key,…` (the first encrypts, all decrypt), or one bare base64 key
 * (id "k1"). Each key is 32 bytes: `openssl rand -base64 32`.
 */
export function parseEncryptionKeys(value: string): Map<string, Buffer> {
  const keys = new Map<string, Buffer>();
  for (const entry of value.split(',').map((e) => e.trim()).filter(Boolean)) {
    const [id, encoded] = entry.includes(':') ? [entry.slice(0, entry.indexOf(':')), entry.slice(entry.indexOf(':') + 1)] : ['k1', entry];
    const key = Buffer.from(encoded, 'base64');
    if (!id || key.length !== 32) throw new EncryptionKeyError(`key "${id}" is ${key.length} bytes; AES-256 needs 32 (make one with: openssl rand -base64 32)`);
    if (keys.has(id)) throw new EncryptionKeyError(`key id "${id}" is given twice`);
    keys.set(id, key);
  }
  return keys;
}

/** The codec for this process, or undefined when encryption is off. */
export function encryptionCodecFromSettings(settings: Pick<DagentSettings, 'encryptionKey'> = dagentSettings()): EncryptionCodec | undefined {
  return settings.encryptionKey ? new EncryptionCodec(parseEncryptionKeys(settings.encryptionKey)) : undefined;
}
