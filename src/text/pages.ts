// Long JSON text cut into pages for the result store. A workflow hands big state (a run's ledger
// of task records, the state it continues as new with, a big plan) to the store page by page:
// each page travels in history as one activity's input or result, and Temporal refuses any
// payload over 2 MB (and warns past 512 KB). Pure: workflow code uses it.

/** Characters per page: each stays well under the server's 512 KB warning, even as UTF-8. */
export const PAGE_CHARS = 120_000;

/** A plan or state longer than this (JSON characters) travels by reference rather than inline. */
export const INLINE_JSON_CHARS = 200_000;

/** A value that lives in the result store as pages of JSON text, in order. */
export interface PagedRef {
  pages: string[];
  chars: number;
}

export function splitPages(text: string, size = PAGE_CHARS): string[] {
  const pages: string[] = [];
  for (let at = 0; at < text.length; at += size) pages.push(text.slice(at, at + size));
  return pages.length > 0 ? pages : [''];
}

/** Whether `value` looks like a PagedRef (input from outside the run is checked before use). */
export function isPagedRef(value: unknown): value is PagedRef {
  const v = value as PagedRef | null;
  return typeof v === 'object' && v !== null && Array.isArray(v.pages) && v.pages.length > 0 && v.pages.every((p) => typeof p === 'string' && p.length > 0) && typeof v.chars === 'number';
}
