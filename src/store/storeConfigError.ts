// DAGENT_STORE names no store we can build: a usage error (exit 2), the message says what to write.
export class StoreConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreConfigError';
  }
}
