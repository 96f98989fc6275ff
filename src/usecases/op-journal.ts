import type { Plan, PlanFilter } from '../plan/planner.js';
import type { RekeyDeps } from './context.js';
import { summarize, type JournalEvent } from '../rotation/state.js';

/** Commands other than rotate that change a consumer or the backend, journaled so a kill is resumable. */
export type OpKind = 'adopt' | 'device-rotate';

export interface OpJournal {
  readonly id: string;
  /** journal `start`, run, journal `ok` (or `fail` and rethrow) */
  step<T>(name: string, fn: () => Promise<T>, detail?: (r: T) => string): Promise<T>;
  end(outcome: 'done' | 'failed', reason?: string): Promise<void>;
}

/** append an event (durably), then the crash hook, as the runner does */
function journalOf(deps: RekeyDeps) {
  return {
    at: () => deps.clock.now().toISOString(),
    emit: async (e: JournalEvent) => {
      await deps.journal.append(e);
      await deps.afterAppend?.(e);
    },
  };
}

/**
 * An operation's journal: `begin` (with `op` and its arguments, the resolved plan), one
 * `step` record before and after every write, `end`. No `end` = unfinished: `rekey resume` runs
 * the operation again on the journaled plan (every step of adopt is idempotent; a device token is
 * rotated again, since the one a killed run minted was never shown to anyone).
 */
export async function beginOp(deps: RekeyDeps, id: string, op: OpKind, plan: Plan, filter: PlanFilter, args: Record<string, string>): Promise<OpJournal> {
  const { at, emit } = journalOf(deps);
  const f = { ...(filter.env ? { env: filter.env } : {}), ...(filter.agent ? { agent: filter.agent } : {}) };
  await emit({ type: 'begin', rotationId: id, secret: plan.secret, at: at(), plan: summarize(plan, f), oldFingerprints: {}, newFingerprints: {}, op, args });
  return continueOp(deps, id);
}

/** append to an operation's existing journal (resume) */
export function continueOp(deps: RekeyDeps, id: string): OpJournal {
  const { at, emit } = journalOf(deps);
  return {
    id,
    async step(name, fn, detail) {
      await emit({ type: 'step', rotationId: id, at: at(), step: name, status: 'start' });
      try {
        const r = await fn();
        const d = detail?.(r);
        await emit({ type: 'step', rotationId: id, at: at(), step: name, status: 'ok', ...(d ? { detail: d } : {}) });
        return r;
      } catch (e) {
        await emit({ type: 'step', rotationId: id, at: at(), step: name, status: 'fail', detail: (e as Error)?.message ?? String(e) });
        throw e;
      }
    },
    async end(outcome, reason) {
      await emit({ type: 'end', rotationId: id, at: at(), outcome, ...(reason ? { reason } : {}) });
    },
  };
}
