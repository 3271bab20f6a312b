// The run's ledger: full records of completed map items, filed in the result store so that the
// run carries them compactly from then on (TaskTable.snapshot) and its RunResult points to them
// instead of holding them (a 10,000-task run's records are ~6 MB; a payload may have 2 MB).
// Workflow code: deterministic, I/O through activities.
import { patched } from '@temporalio/workflow';
import type { OrchestrateInput } from '../plan/schema';
import { INLINE_JSON_CHARS, type PagedRef } from '../text/pages';
import { storePaged } from './pagedState';
import type { RunState } from './runState';

/** Past this many tasks a run's result lists its map items by reference (the ledger). */
export const RESULT_LISTS_TASKS_UP_TO = 1000;

/** Files the completed map items not yet in the ledger. */
export async function fileLedger(run: RunState): Promise<void> {
  const table = run.table!;
  const due = table.unledgered();
  if (due.length === 0) return;
  run.ledger.push(await storePaged(`ledger-${run.continuedAsNew}-${run.ledger.length}`, due));
  table.markLedgered(due.map((r) => r.id));
}

/**
 * The input the next run of the chain starts with: the ledger filed, the plan and the carried
 * state inline when small, else by reference. Operator moves may land while pages are written:
 * the state is taken again until none did, so no move acknowledged here is lost.
 */
export async function handOverInput(run: RunState, keep: Pick<OrchestrateInput, 'options' | 'reuseFrom' | 'fromTasks'>, settled: () => Promise<void>): Promise<OrchestrateInput> {
  if (!ledgerInUse()) {
    await settled();
    return { plan: run.plan(), ...keep, carried: run.carry() };
  }
  for (;;) {
    await settled();
    const moves = run.audit.length;
    await fileLedger(run);
    const plan = run.plan()!;
    const carried = run.carry();
    const planRef = await refIfBig(`plan-${run.continuedAsNew}`, plan);
    const carriedRef = await refIfBig(`carried-${run.continuedAsNew}`, carried);
    const planPart = planRef ? { planRef } : { plan };
    const carriedPart = carriedRef ? { carriedRef } : { carried };
    await settled();
    if (run.audit.length === moves) return { ...planPart, ...keep, ...carriedPart };
  }
}

/** `value` stored by reference when its JSON is too long to travel inline (serialized once either way). */
async function refIfBig(name: string, value: unknown): Promise<PagedRef | undefined> {
  const text = JSON.stringify(value);
  return text.length > INLINE_JSON_CHARS ? storePaged(name, value, text) : undefined;
}

/** Whether a finished run lists its map items by reference. */
export function listsByReference(run: RunState): boolean {
  return (run.ledger.length > 0 || run.table!.size() > RESULT_LISTS_TASKS_UP_TO) && ledgerInUse();
}

/** Runs begun before the ledger hand over and end as they did (their histories replay so). */
function ledgerInUse(): boolean {
  return patched('task-ledger');
}

