// The environment a shell task starts with: an allow-list, not the worker's whole environment, so
// no secret of the worker reaches a command by accident. More names pass through only when the
// worker's operator lists them in DAGENT_SHELL_ENV; a task adds its own literal values (`env`).
// Shell tasks are still trusted code: a command can read its parent's /proc/PID/environ.

const ALWAYS_PASSED = ['PATH', 'HOME', 'LANG', 'LANGUAGE', 'TERM', 'TMPDIR', 'TZ', 'USER', 'LOGNAME', 'SHELL'];
/** Locale settings (LC_ALL, LC_CTYPE, …) pass too: they change how tools print, nothing more. */
const LOCALE = /^LC_[A-Z_]+$/;

/** The worker's variables a shell task may see: the built-in names and those DAGENT_SHELL_ENV lists. */
export function shellBaseEnv(env: NodeJS.ProcessEnv, passed: string[]): NodeJS.ProcessEnv {
  const allowed = new Set([...ALWAYS_PASSED, ...passed]);
  return Object.fromEntries(Object.entries(env).filter(([name]) => allowed.has(name) || LOCALE.test(name)));
}
