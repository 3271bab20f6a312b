// A history as searchable text. JSON.stringify would hide what matters: the history's protobuf
// objects turn their bytes into base64 in toJSON, and payloads are bytes. So walk the objects
// and decode every byte field as UTF-8.
export function historyText(history: unknown): string {
  const parts: string[] = [];
  const walk = (node: unknown, depth: number) => {
    if (depth > 100 || node === null || node === undefined) return;
    if (node instanceof Uint8Array) parts.push(Buffer.from(node).toString('utf8'));
    else if (typeof node === 'object') for (const [key, value] of Object.entries(node)) {
      parts.push(key);
      walk(value, depth + 1);
    }
    else parts.push(String(node));
  };
  walk(history, 0);
  return parts.join('\n');
}
