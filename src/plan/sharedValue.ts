// One value per process, made by its first user and shared by every later one. In a worker,
// workflow modules are evaluated anew for each run, but this one is preloaded (see
// workflows/sharedModules.ts): loaded once per workflow thread, before any run. What it keeps
// lives in its closure, out of reach of the SDK's freezing of what preloaded modules export, which
// zod's schemas could not take: they finish building parts of themselves when first used. Only for
// values that are pure and never change (a run must not see what another did).
const values = new Map<string, unknown>();

export function sharedValue<T>(name: string, make: () => T): T {
  if (!values.has(name)) values.set(name, make());
  return values.get(name) as T;
}
