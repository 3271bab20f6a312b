// Long JSON text cut into pages for the result store. A workflow hands big state (a run's ledger
// of task records, the state it continues as new with, a big plan) to the store page by page:
// each page travels in history as one activity's input or result, and Temporal refuses any
// payload over 2 MB (and warns past 512 KB). Pure: workflow code uses it.
import { stableHash } from './stableHash';

/** Characters per page: each stays well under the server's 512 KB warning, even as UTF-8. */
export const PAGE_CHARS = 120_000;

/** A plan or state longer than this (JSON characters) travels by reference rather than inline. */
export const INLINE_JSON_CHARS = 200_000;
/**
 * A run's goal longer than this goes to each task by reference: it would otherwise be in every
 * task's activity input, 10,000 times over in a big run.
 */
export const INLINE_GOAL_CHARS = 1_000;

/** A value that lives in the result store as pages of JSON text, in order. */
export interface PagedRef {
  pages: string[];
  chars: number;
  /** stableHash of the whole text: a reader checks that the pages put together are what was written. */
  hash?: string;
}

/** The reference to `text` stored as `pages`. */
export function pagedRefOf(text: string, pages: string[]): PagedRef {
  return { pages, chars: text.length, hash: stableHash(text) };
}

/** Why the text read back from a reference's pages is not what was written, if it is not. */
export function pagedTextProblem(ref: PagedRef, text: string): string | undefined {
  if (text.length !== ref.chars) return `its pages hold ${text.length} characters, the reference says ${ref.chars}`;
  if (ref.hash !== undefined && stableHash(text) !== ref.hash) return `its pages do not match the reference's hash ${ref.hash}`;
  return undefined;
}

export function splitPages(text: string, size = PAGE_CHARS): string[] {
  const pages: string[] = [];
  for (let at = 0; at < text.length; at += size) pages.push(text.slice(at, at + size));
  return pages.length > 0 ? pages : [''];
}

/** Whether `value` looks like a PagedRef (input from outside the run is checked before use). */
export function isPagedRef(value: unknown): value is PagedRef {
  const v = value as PagedRef | null;
  return typeof v === 'object' && v !== null && Array.isArray(v.pages) && v.pages.length > 0 && v.pages.every((p) => typeof p === 'string' && p.length > 0) && typeof v.chars === 'number' && (v.hash === undefined || typeof v.hash === 'string');
}
