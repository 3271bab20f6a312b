// How long text is shortened: clipped for prompts, flattened into previews, cut to a first line
// for titles. Pure.

export function clip(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  return `${text.slice(0, maxChars)}\n\n[… ${text.length - maxChars} more characters cut]`;
}

export function previewOf(text: string, maxChars = 280): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= maxChars ? flat : `${flat.slice(0, maxChars - 1)}…`;
}

export function firstLine(text: string, maxChars = 120): string {
  const line = text.trim().split('\n')[0]!.trim();
  return line.length > maxChars ? `${line.slice(0, maxChars - 1)}…` : line;
}
