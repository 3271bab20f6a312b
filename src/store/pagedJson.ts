// Paged JSON (text/pages.ts) read and written outside workflows: by clients (a big plan goes to
// the store before its run starts; a big run's task records come back from its ledger) and by
// activities (the report reads a big run's records).
import { isPagedRef, pagedRefOf, pagedTextProblem, splitPages, type PagedRef } from '../text/pages';
import { ResultStoreError, type ResultStore } from './resultStore';

const READS_AT_ONCE = 8;

export async function readPagedJson<T>(store: ResultStore, ref: PagedRef): Promise<T> {
  if (!isPagedRef(ref)) throw new ResultStoreError('not a reference to paged JSON', String(ref));
  const texts: string[] = [];
  for (let at = 0; at < ref.pages.length; at += READS_AT_ONCE) texts.push(...(await Promise.all(ref.pages.slice(at, at + READS_AT_ONCE).map((p) => store.get(p)))));
  const text = texts.join('');
  const problem = pagedTextProblem(ref, text);
  if (problem !== undefined) throw new ResultStoreError(`paged JSON at ${ref.pages[0]}: ${problem}`, ref.pages[0]!);
  return JSON.parse(text) as T;
}

export async function writePagedJson(store: ResultStore, key: string, value: unknown): Promise<PagedRef> {
  const text = JSON.stringify(value);
  const pages = await Promise.all(splitPages(text).map((page, i) => store.put(`${key}.${i}.json`, page)));
  return pagedRefOf(text, pages);
}
