// Drops the keys whose value is undefined, so layered settings do not erase each other. Pure.
export function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
