/**
 * One host's part of a fleet rollout: deliver the given values to this host's targets, restart,
 * verify, and on failure put the consumers back and verify them there, journaled like any rotation
 * (a kill is finished by the next agent run or `rekey resume`) but against the host view of the
 * backend (host-backend.ts): no version moves here. Then the acknowledgement in this host's book.
 */
import { describeError } from '../../core/errors.js';
import type { SecretValue } from '../../core/secret-value.js';
import type { Plan } from '../../plan/planner.js';
import { runRotation } from '../../rotation/runner.js';
import { initialState, summarize, type JournalEvent } from '../../rotation/state.js';
import type { Terminal } from '../../rotation/transitions.js';
import { newRotationId, type RekeyDeps } from '../context.js';
import { preflight } from '../preflight.js';
import { runRecord } from '../run-audit.js';
import { recordBook } from '../record-book.js';
import { fleetHostBackend } from './host-backend.js';
import type { Policy } from '../../policy/schema.js';
import { hostBookRef, rolloutBookRef, type AckRecord, type RolloutRecord } from './records.js';

export interface HostRunInput {
  /** this host's targets to move, with the refs they read */
  plan: Plan;
  /** ref → the value to deliver, with the version id it has in the backend */
  values: Map<string, { value: SecretValue; versionId: string }>;
  /** ref → what the consumers hold now (put back if verification fails) */
  held: Map<string, SecretValue | null>;
  what: 'delivered' | 'restored' | 'converged';
  rollout: string | null;
  seq: number;
  /** delivery of a wave: the full pre-flight first (every consumer verifies with what it holds) */
  preflight: boolean;
}

export interface HostRunResult {
  outcome: Terminal | 'refused';
  ack: AckRecord;
  reason?: string;
}

/** what a host writes: its acknowledgements, in its own book (no other writer) */
export const hostBook = (policy: Policy, backend: string, secret: string, host: string, deps: RekeyDeps) => recordBook<AckRecord>(backend, hostBookRef(policy, secret, host), 'fleet host book', deps);
/** what coordinators write: the rollouts of a secret */
export const rolloutBook = (policy: Policy, backend: string, secret: string, deps: RekeyDeps) => recordBook<RolloutRecord>(backend, rolloutBookRef(policy, secret), 'fleet rollout book', deps);

export async function hostRun(input: HostRunInput, deps: RekeyDeps): Promise<HostRunResult> {
  const { plan } = input;
  const started = deps.clock.now().getTime();
  const host = deps.planContext.hostname;
  const run = newRotationId(deps);
  const newFp = Object.fromEntries([...input.values].map(([r, v]) => [r, v.value.fingerprint]));
  const oldFp = Object.fromEntries([...input.held].map(([r, v]) => [r, v?.fingerprint ?? null]));
  const ack = (what: AckRecord['what'], held: Map<string, { versionId: string; fingerprint: string }>, reason?: string): AckRecord => ({
    kind: 'ack',
    rollout: input.rollout,
    seq: input.seq,
    host,
    what,
    refs: Object.fromEntries(held),
    targets: plan.targets.map((t) => t.id),
    at: deps.clock.now().toISOString(),
    run,
    ...(reason ? { reason } : {}),
  });
  const lock = await deps.locks.acquire(plan.secret, { rotationId: run, command: 'agent' });
  let result: HostRunResult;
  try {
    if (input.preflight) {
      try {
        await preflight(plan, deps);
      } catch (e) {
        const reason = `pre-flight on ${host}: ${describeError(e)}`;
        result = { outcome: 'refused', reason, ack: ack('failed', new Map(), reason) };
        await deps.audit.append(runRecord('agent', run, plan, deps, started, { outcome: 'refused', exitCode: 3, failure: { reason }, fleet: { rollout: input.rollout, seq: input.seq, what: 'failed', host } }));
        return result;
      }
    }
    const summary = summarize(plan, {});
    const begin: JournalEvent = { type: 'begin', rotationId: run, secret: plan.secret, at: deps.clock.now().toISOString(), plan: summary, oldFingerprints: oldFp, newFingerprints: newFp, fleet: { rollout: input.rollout, seq: input.seq, what: input.what } };
    await deps.journal.append(begin);
    deps.onEvent?.(begin);
    await deps.afterAppend?.(begin);
    const versions = new Map([...input.values].map(([r, v]) => [r, v.versionId]));
    const r = await runRotation(
      { rotationId: run, summary, targets: plan.targets, newValues: new Map([...input.values].map(([ref, v]) => [ref, v.value])), oldValues: input.held },
      { ...initialState(run), phase: 'stage' },
      { ...deps, backend: fleetHostBackend(deps.backend(plan.backend), versions) },
    );
    const reason = r.state.failure ? `${r.state.failure.phase} ${r.state.failure.item}: ${r.state.failure.reason}` : undefined;
    // what the consumers hold now: the new values, or (rolled back and verified) what they held before
    const holds =
      r.outcome === 'promoted'
        ? new Map([...input.values].map(([ref, v]) => [ref, { versionId: v.versionId, fingerprint: v.value.fingerprint }]))
        : r.outcome === 'rolled-back'
          ? new Map([...input.held].flatMap(([ref, v]) => (v ? [[ref, { versionId: 'as before', fingerprint: v.fingerprint }] as const] : [])))
          : new Map<string, { versionId: string; fingerprint: string }>();
    result = { outcome: r.outcome, ack: ack(r.outcome === 'promoted' ? input.what : 'failed', holds, reason), ...(reason ? { reason } : {}) };
    await deps.audit.append(
      runRecord('agent', run, plan, deps, started, {
        outcome: r.outcome,
        exitCode: r.outcome === 'promoted' ? 0 : r.outcome === 'rolled-back' ? 5 : 6,
        oldFingerprints: oldFp,
        newFingerprints: newFp,
        rollbackPoint: oldFp,
        targets: plan.targets.map((t) => ({ id: t.id, verified: r.verified.get(t.id) ?? null })),
        ...(r.state.failure ? { failure: { phase: r.state.failure.phase, item: r.state.failure.item, reason: r.state.failure.reason, code: r.state.failure.code } } : {}),
        fleet: { rollout: input.rollout, seq: input.seq, what: result.ack.what, host },
      }),
    );
  } finally {
    await lock.release();
  }
  return result;
}
