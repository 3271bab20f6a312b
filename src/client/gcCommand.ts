// `dagent gc --older-than 30d [--dry-run]`: frees the result store (DAGENT_STORE) of old runs.
// Works on the store alone; Temporal is not asked, since a run's age shows in its newest object.
import { collectGarbage } from '../store/collectGarbage';
import { resultStoreFromEnv } from '../store/resultStore';
import { CliError, EXIT } from './exitCodes';

export interface GcFlags {
  olderThan: string;
  dryRun?: boolean;
}

export async function gcCommand(flags: GcFlags, env: NodeJS.ProcessEnv = process.env, out: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Promise<number> {
  const olderThanMs = parseAge(flags.olderThan);
  const store = resultStoreFromEnv(env);
  const report = await collectGarbage(store, { olderThanMs, dryRun: flags.dryRun });
  const verb = report.dryRun ? 'would remove' : 'removed';
  for (const group of report.removed) out(`${verb} ${group.name} (${group.keys.length} object(s), ${formatBytes(group.bytes)}, newest ${group.newest.toISOString()})`);
  const objects = report.removed.reduce((n, g) => n + g.keys.length, 0);
  const bytes = report.removed.reduce((n, g) => n + g.bytes, 0);
  out(`${store.where}: ${verb} ${report.removed.length} run(s) or file(s), ${objects} object(s), ${formatBytes(bytes)}; kept ${report.kept} newer than ${flags.olderThan}`);
  return EXIT.ok;
}

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000 } as const;

/** `30d`, `12h`, `90m` → milliseconds; anything else is a usage error naming the flag. */
export function parseAge(value: string, flag = '--older-than'): number {
  const match = /^(\d+(?:\.\d+)?)([dhm])$/.exec(value.trim());
  if (!match) throw new CliError(`${flag} must be a number followed by d, h or m (days, hours, minutes), like 30d; got "${value}"`, EXIT.usage);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
