// A short, stable hash of a string (cyrb53: 53 bits as 14 hex digits) for keys such as "the same
// task as last time". Not for security; pure and sandbox-safe, so workflow code can use it.

// Looked up once: inside the workflow sandbox every read of a global (`Math`) goes through the
// VM's global interceptor, ~0.1 µs each, and this loop would make four per character (~40 µs a
// reuse key, ~20 ms of a 500-task run's first workflow task).
const imul = Math.imul;

export function stableHash(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = imul(h1 ^ c, 2654435761);
    h2 = imul(h2 ^ c, 1597334677);
  }
  h1 = imul(h1 ^ (h1 >>> 16), 2246822507) ^ imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = imul(h2 ^ (h2 >>> 16), 2246822507) ^ imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
}
