// Keeps the worker's secrets out of what tasks see and return: shell tasks get an environment
// without them, and every output is scrubbed of their values before it is stored.
const SECRET_NAME = /(API_KEY|_TOKEN|_SECRET|PASSWORD|ENCRYPTION_KEY)$/i;

export function withoutSecrets(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !SECRET_NAME.test(name)));
}

export function redactSecrets(text: string, env: NodeJS.ProcessEnv = process.env): string {
  let out = text;
  for (const [name, value] of Object.entries(env)) {
    if (SECRET_NAME.test(name) && value && value.length >= 8) out = out.split(value).join(`[redacted ${name}]`);
  }
  return out;
}
