// What `dagent gc` needs from a store beyond put and get: every stored object with its age, and
// removal. Separate from ResultStore so wrappers (the scrubbing store) need not pass them on.
export interface StoredEntry {
  key: string;
  modified: Date;
  bytes: number;
}

export interface CollectableStore {
  /** Where the store is, for messages: a directory or s3://bucket/prefix. */
  readonly where: string;
  entries(): AsyncIterable<StoredEntry>;
  remove(keys: string[]): Promise<void>;
}
