// The one error every result store throws: what went wrong with which reference, so a failed task
// names the output it could not read or write.
export class ResultStoreError extends Error {
  constructor(message: string, readonly ref: string) {
    super(message);
    this.name = 'ResultStoreError';
  }
}
