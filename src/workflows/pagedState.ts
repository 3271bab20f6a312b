// Big JSON state of a run, to and from the result store page by page (see text/pages.ts): the
// ledger of task records, the state a run continues as new with, a big plan. Each page is one
// activity, so no payload in history nears Temporal's limits; pages go out and come in in parallel.
// Workflow code: deterministic, I/O through activities.
import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { isPagedRef, pagedRefOf, pagedTextProblem, splitPages, type PagedRef } from '../text/pages';

const pageActivities = proxyActivities<Activities>({ startToCloseTimeout: '2m', retry: { maximumAttempts: 5, initialInterval: '1s' } });

/** Stores `value` as pages named `<name>.<i>.json` in this run's folder (`text`: its JSON, when the caller has it already). */
export async function storePaged(name: string, value: unknown, text = JSON.stringify(value)): Promise<PagedRef> {
  const pages = await Promise.all(splitPages(text).map((page, index) => pageActivities.storePage({ name, index, text: page })));
  return pagedRefOf(text, pages);
}

/** The value stored at `ref`; `what` names it in the error when the reference or its pages are wrong. */
export async function loadPaged<T>(ref: unknown, what: string): Promise<T> {
  if (!isPagedRef(ref)) throw ApplicationFailure.nonRetryable(`${what}: not a reference to paged JSON ({ pages: [refs], chars })`, 'InvalidInput');
  const text = (await Promise.all(ref.pages.map((page) => pageActivities.readPage({ ref: page })))).join('');
  const problem = pagedTextProblem(ref, text);
  if (problem !== undefined) throw ApplicationFailure.nonRetryable(`${what}: ${problem}`, 'InvalidInput');
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw ApplicationFailure.nonRetryable(`${what}: its pages are not JSON: ${(err as Error).message}`, 'InvalidInput');
  }
}
