// DAGENT_ENCRYPTION_KEY cannot be used.

export class EncryptionKeyError extends Error {
  constructor(message: string) {
    super(`DAGENT_ENCRYPTION_KEY: ${message}`);
    this.name = 'EncryptionKeyError';
  }
}
