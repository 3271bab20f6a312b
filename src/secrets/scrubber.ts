// The one scrubber of a worker: every secret the worker holds (its API key, its encryption keys,
// any variable of its environment whose name says secret, passwords inside URLs) is replaced by
// `[redacted NAME]` in whatever leaves an activity: results, errors, signals, heartbeat details,
// stored outputs and reports. Built once per worker, from that worker's own environment.

/** Names whose values are secrets: a whole `_`-separated word such as KEY, TOKEN or SECRET. */
const SECRET_NAME = /(^|_)(API_?KEY|KEYS?|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?|PRIVATE|AUTH|SESSION|COOKIE|SIGNATURE)(_|$)/i;
/** Userinfo of a URL: `scheme://user:password@host`. */
const URL_CREDENTIALS = /[a-z][a-z0-9+.-]*:\/\/([^/\s:@]+):([^/\s@]+)@/gi;
/** Shorter values are too likely to be ordinary words or numbers to be replaced everywhere. */
const MIN_SECRET_CHARS = 8;

export interface NamedSecret {
  name: string;
  value: string;
}

export class Scrubber {
  private readonly secrets: NamedSecret[];

  constructor(secrets: NamedSecret[]) {
    // Longest first, so a secret that contains another is replaced whole.
    const unique = new Map<string, string>();
    for (const s of secrets) if (s.value.length >= MIN_SECRET_CHARS && !unique.has(s.value)) unique.set(s.value, s.name);
    this.secrets = [...unique].map(([value, name]) => ({ name, value })).sort((a, b) => b.value.length - a.value.length);
  }

  /** How many distinct secrets this scrubber knows (never which). */
  get size(): number {
    return this.secrets.length;
  }

  scrub(text: string): string {
    let out = text;
    for (const { name, value } of this.secrets) if (out.includes(value)) out = out.split(value).join(`[redacted ${name}]`);
    return out;
  }

  /** Every string inside a JSON-like value, scrubbed; other values pass through as they are. */
  scrubDeep<T>(value: T): T {
    return scrubValue(value, (s) => this.scrub(s), 0) as T;
  }
}

function scrubValue(value: unknown, scrub: (s: string) => string, depth: number): unknown {
  if (typeof value === 'string') return scrub(value);
  if (value === null || typeof value !== 'object' || depth > 64) return value;
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, scrub, depth + 1));
  if (value instanceof Uint8Array || value instanceof Date) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubValue(v, scrub, depth + 1)]));
}

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** The secrets in an environment: values of secret-looking names, and passwords inside URLs. */
export function secretsInEnv(env: NodeJS.ProcessEnv): NamedSecret[] {
  const found: NamedSecret[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!value) continue;
    if (isSecretName(name)) {
      found.push({ name, value });
      // A list of keys (`id:key,oldId:key`) holds secrets that may appear one at a time. (Only
      // commas split: a passphrase's words are not secrets one by one.)
      if (value.includes(',')) for (const part of value.split(',')) found.push({ name, value: part.trim() }, { name, value: part.slice(part.indexOf(':') + 1).trim() });
    }
    for (const match of value.matchAll(URL_CREDENTIALS)) {
      found.push({ name: `${name} password`, value: match[2]! });
      found.push({ name: `${name} credentials`, value: `${match[1]}:${match[2]}` });
    }
  }
  return found;
}

/** A worker's scrubber: its environment's secrets plus any it was given directly (an API key in code). */
export function scrubberFor(env: NodeJS.ProcessEnv, extra: NamedSecret[] = []): Scrubber {
  return new Scrubber([...secretsInEnv(env), ...extra]);
}
