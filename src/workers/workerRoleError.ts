// A worker configured to poll nothing.

/** Nothing to poll: refused before connecting. */
export class WorkerRoleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkerRoleError';
  }
}
