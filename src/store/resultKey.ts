// The one rule for result keys, shared by every store: a key is a relative path of plain segments.
// On disk anything else could leave the results folder; in a bucket it would name an object that
// another store (or a local copy of the bucket) could not hold, so both refuse the same keys.
import { ResultStoreError } from './resultStoreError';

/** The key's segments, or a ResultStoreError naming the key when it is empty, absolute or has an odd segment. */
export function resultKeySegments(key: string): string[] {
  const segments = key.split('/');
  // An empty first segment is an absolute key; any empty, `.` or `..` segment, a backslash or a
  // NUL could step out of the root on some disk.
  if (segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('\\') || s.includes('\0'))) {
    throw new ResultStoreError(`invalid result key "${key}"`, key);
  }
  return segments;
}
