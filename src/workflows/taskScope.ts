// A task's cancellation scope, so that an operator can cancel one task alone. It runs its body
// directly instead of through the SDK's async wrapper: that wrapper adds two promises to every
// task start, and the SDK records a stack trace for each promise a workflow makes (in a chain's
// workflow task, those two cost about as much as scheduling the activity). The wrapper's only
// other work is a scope timeout, which task scopes never have.
import { CancellationScope } from '@temporalio/workflow';

export class TaskScope extends CancellationScope {
  protected override runInContext<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return fn();
    } catch (err) {
      // As the async wrapper did: a body that throws at once is a rejected run, not a thrown one.
      return Promise.reject(err);
    }
  }
}
