/**
 * Ending a fleet rollout from outside its coordinator: `rekey rotate <secret> --fleet --abort` (an
 * operator, e.g. the coordinator's machine died and its deadline is far), and the next coordinator
 * taking over a rollout past its deadline. Both write the rollout's end record (write-once: if the
 * coordinator wrote its own first, that one stands) and discard the pending version; every host
 * that delivered puts its consumers back on its agent's next pass. A live coordinator sees the end
 * record at its next poll and stops (coordinator.ts).
 */
import { ExitCode } from '../../core/exit-codes.js';
import type { PlanFilter } from '../../plan/planner.js';
import type { Policy } from '../../policy/schema.js';
import type { RekeyDeps } from '../context.js';
import { isEntryTaken } from '../record-book.js';
import { runRecord } from '../run-audit.js';
import { fleetPlan } from './fleet-plan.js';
import { rolloutBook } from './host-run.js';
import { discardPending } from './discard.js';
import { endId, rollouts, type EndRecord, type Rollout } from './records.js';

/** Writes the abort (unless an end is recorded already) and discards the pending version; returns the end that stands. */
export async function abandon(r: Rollout, why: string, book: ReturnType<typeof rolloutBook>, deps: RekeyDeps): Promise<EndRecord> {
  const end: EndRecord = { kind: 'end', rollout: r.open.rollout, outcome: 'aborted', at: deps.clock.now().toISOString(), reason: why };
  try {
    await book.add(endId(r.seq), end);
  } catch (e) {
    if (!isEntryTaken(e)) throw e;
    // its coordinator ended it first (promoted or aborted): that end stands, nothing to discard
    const there = (await book.get(endId(r.seq))) as EndRecord | null;
    if (there) return there;
    throw e;
  }
  await discardPending(r.open.backend, Object.entries(r.staged?.refs ?? {}).map(([ref, staged]) => [ref, staged.receipt]), r.open.rollout, deps);
  deps.log.warn({ rollout: r.open.rollout, why }, 'fleet rollout aborted from outside its coordinator');
  return end;
}

export interface AbortReport {
  secret: string;
  rollout: string | null;
  seq: number | null;
  dryRun: boolean;
  outcome: 'aborted' | 'already-ended' | 'nothing-open' | 'dry-run';
  exitCode: number;
  message: string;
  /** hosts whose wave had opened: they put their consumers back on their next pass */
  reached: string[];
}

/** `rekey rotate <secret> --fleet --abort`: the secret's open rollout, aborted now (whatever its deadline). */
export async function abortRollout(policy: Policy, secret: string, filter: PlanFilter, opts: { dryRun: boolean }, deps: RekeyDeps): Promise<AbortReport> {
  const started = deps.clock.now().getTime();
  const plan = fleetPlan(policy, secret, filter, deps);
  const book = rolloutBook(policy, plan.backend, secret, deps);
  const last = rollouts(await book.list()).at(-1) ?? null;
  const base = { secret, dryRun: opts.dryRun, reached: [] as string[] };
  if (!last || last.end !== null) {
    const message = last ? `rollout ${last.seq} of "${secret}" ended already (${last.end!.outcome} at ${last.end!.at}); nothing to abort` : `"${secret}" has no fleet rollout; nothing to abort`;
    return { ...base, rollout: last?.open.rollout ?? null, seq: last?.seq ?? null, outcome: 'nothing-open', exitCode: ExitCode.ok, message };
  }
  const reached = [...new Set(last.waves.flatMap((w) => w.hosts))].sort();
  const who = `aborted by ${deps.actor.user} on ${deps.planContext.hostname}`;
  if (opts.dryRun) {
    return { ...base, rollout: last.open.rollout, seq: last.seq, outcome: 'dry-run', exitCode: ExitCode.ok, reached, message: `dry run: rollout ${last.seq} (${last.open.rollout}, coordinator ${last.open.coordinator}) would be aborted and its pending version discarded; ${reached.length} host(s) whose wave opened would put their consumers back; nothing was changed` };
  }
  const end = await abandon(last, who, book, deps);
  const mine = end.reason === who && end.outcome === 'aborted';
  const outcome: AbortReport['outcome'] = mine ? 'aborted' : 'already-ended';
  const message = mine
    ? `rollout ${last.seq} of "${secret}" (${last.open.rollout}, coordinator ${last.open.coordinator}) aborted: pending version discarded; ${reached.length ? `${reached.join(', ')} put their consumers back on their agent's next pass (rekey status --fleet)` : 'no wave had opened, no host had delivered'}`
    : `rollout ${last.seq} of "${secret}" was ended by its coordinator first: ${end.outcome} at ${end.at}`;
  await deps.audit.append(
    runRecord('rotate-fleet', last.open.rollout, plan, deps, started, {
      outcome: mine ? 'rolled-back' : 'refused',
      exitCode: ExitCode.ok,
      failure: { reason: mine ? who : `${who}: the rollout had ended (${end.outcome})` },
      fleet: { rollout: last.open.rollout, seq: last.seq, waves: last.open.waves, what: 'abort', ...(reached.length ? { hosts: Object.fromEntries(reached.map((h) => [h, null])) } : {}) },
    }),
  );
  return { ...base, rollout: last.open.rollout, seq: last.seq, outcome, exitCode: ExitCode.ok, message, reached };
}
