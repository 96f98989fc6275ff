import { RollbackFailedError } from '../core/errors.js';
import { planRotation, type Plan } from '../plan/planner.js';
import type { Policy } from '../policy/schema.js';
import type { RekeyDeps } from './context.js';
import { auditRecord, finishedReport, type RotateReport } from './rotate.js';
import { planRetirements } from './retire.js';
import { settleDrawn, standbyEntries } from './standby.js';
import type { SecretValue } from '../core/secret-value.js';
import type { SecretBackend } from '../core/ports.js';
import { runRotation } from '../rotation/runner.js';
import { resumeAdopt } from './adopt.js';
import { resumeDeviceRotation } from './devices.js';
import { fleetHostBackend } from './fleet/host-backend.js';
import { apply, initialState, resumeDecision, rollbackEntry, type JournalEvent, type PlanSummary } from '../rotation/state.js';

/**
 * Finish every rotation the journal shows unfinished: before the point of no return roll back,
 * from promote on roll forward; a failed rollback is retried (every step is idempotent).
 */
export async function resumeAll(policy: Policy, deps: RekeyDeps): Promise<RotateReport[]> {
  const swept = await deps.locks.sweepStale();
  if (swept.length) deps.log.warn({ locks: swept }, 'removed stale locks of dead processes');
  const reports: RotateReport[] = [];
  // a damaged journal (STATE_CORRUPT, exit 4) goes last: it must not keep the others from finishing
  const pending = await deps.journal.unfinished();
  if (pending.length > 0) await deps.audit.ready?.();
  const open = pending.sort((a, b) => Number(a.damaged === true) - Number(b.damaged === true));
  for (const u of open) reports.push(await resumeOne(policy, u.rotationId, deps));
  return reports;
}

export async function resumeOne(policy: Policy, rotationId: string, deps: RekeyDeps): Promise<RotateReport> {
  const started = deps.clock.now().getTime();
  const events = await deps.journal.read(rotationId);
  const begin = events.find((e): e is Extract<JournalEvent, { type: 'begin' }> => e.type === 'begin');
  if (!begin) throw new RollbackFailedError(`journal of rotation ${rotationId} has no begin record`);
  const summary = begin.plan;
  const { plan, policyChanged } = planOfRotation(policy, begin.secret, summary, rotationId, deps);
  if (begin.op) return resumeOp(begin, plan, deps);
  if (policyChanged) deps.log.warn({ rotationId, secret: begin.secret }, 'the policy changed since the rotation began: finishing it on the targets it touched');
  const lock = await deps.locks.acquire(begin.secret, { rotationId, command: 'resume' });
  try {
    let state = events.reduce(apply, initialState(rotationId));
    // what failed last time is tried again
    state.failed.clear();
    let decision = resumeDecision(state);
    // an emergency revoke killed once its consumers were being moved: finish moving them (the new
    // value is staged, every sink snapshotted) rather than hand them the leaked value back
    const forward = decision.rollBack && begin.retireNow ? await revokeForward(state.phase, summary.refs, begin.newFingerprints, deps.backend(plan.backend), deps) : null;
    if (forward) decision = { rollBack: false, reason: `an emergency revoke interrupted during ${state.phase}: moving the consumers on to the new value (staged ${Object.values(begin.newFingerprints).join(', ')}) rather than back to the leaked one` };
    deps.log.info({ rotationId, phase: state.phase, rollBack: decision.rollBack }, 'resuming rotation');
    if (decision.rollBack) {
      const e: JournalEvent = { type: 'phase', rotationId, at: deps.clock.now().toISOString(), phase: rollbackEntry(state.phase ?? 'stage'), reason: decision.reason };
      await deps.journal.append(e);
      state = apply(state, e);
      deps.onEvent?.(e);
    }
    // a host's part in a fleet rollout moves no version: the coordinator promotes or discards
    const backend = begin.fleet ? fleetHostBackend(deps.backend(plan.backend)) : deps.backend(plan.backend);
    const r = await runRotation({ rotationId, summary, targets: plan.targets.filter((t) => summary.targetIds.includes(t.id)), newValues: forward ?? new Map() }, state, { ...deps, backend });
    const changedNote = policyChanged ? 'the policy changed since this rotation began, so it was finished on the targets it touched (recorded when it began); ' : '';
    const report = finishedReport(rotationId, plan, r, { oldFingerprints: begin.oldFingerprints, newFingerprints: begin.newFingerprints }, `${changedNote}${decision.reason}; `);
    if (r.outcome === 'promoted' && !begin.fleet) {
      await retirementsAfterResume(policy, plan, begin, deps);
      await settlePoolAfterResume(plan, begin, deps);
    }
    await deps.audit.append(auditRecord('resume', report, deps, started));
    return report;
  } finally {
    await lock.release();
  }
}

/**
 * The staged values of a revoke killed in deliver, restart or verify (every snapshot taken, so a
 * later failure can still roll back), each checked against the fingerprint its begin record
 * names; null (roll back as usual) if any is missing or differs.
 */
async function revokeForward(phase: string | null, refs: string[], fingerprints: Record<string, string>, backend: SecretBackend, deps: RekeyDeps): Promise<Map<string, SecretValue> | null> {
  if (phase !== 'deliver' && phase !== 'restart' && phase !== 'verify') return null;
  const values = new Map<string, SecretValue>();
  for (const ref of refs) {
    const p = await deps.retry(`read pending ${ref}`, () => backend.read(ref, 'pending', deps.signal)).catch(() => null);
    if (!p || p.value.fingerprint !== fingerprints[ref]) return null;
    values.set(ref, p.value);
  }
  return values;
}

/** a standby drawn by a rotation killed before its clean-up, now promoted by resume: it leaves the pool */
async function settlePoolAfterResume(plan: Plan, begin: Extract<JournalEvent, { type: 'begin' }>, deps: RekeyDeps): Promise<void> {
  const backend = deps.backend(plan.backend);
  if (!backend.standby) return;
  for (const [ref, fp] of Object.entries(begin.newFingerprints)) {
    const drawn = (await standbyEntries(backend, ref, deps).catch(() => [])).filter((e) => e.fingerprint === fp);
    await settleDrawn(backend, drawn.map((e) => ({ ref, id: e.id })), deps);
  }
}

/** adopt / device-token rotation killed part-way: run again on the journaled plan (both are idempotent) */
async function resumeOp(begin: Extract<JournalEvent, { type: 'begin' }>, plan: Plan, deps: RekeyDeps): Promise<RotateReport> {
  const base = { rotationId: begin.rotationId, plan, dryRun: false, exitCode: 0, oldFingerprints: {}, newFingerprints: {}, verified: {}, failure: null };
  if (begin.op === 'adopt') {
    const r = await resumeAdopt(begin, plan, deps);
    const lines = [
      `adopt ${begin.rotationId} of ${begin.secret} was interrupted; resumed and finished (${r.fingerprint})`,
      ...Object.entries(r.verified).map(([t, d]) => `  ✓ ${t}: ${d}`),
      ...r.residue.map((h) => `  residue: ${h.file} holds a plaintext copy ${h.fingerprints.join(', ')}: ${h.removed ? 'removed' : 'still there (--scrub removes it)'}`),
    ];
    return { ...base, outcome: 'done', message: lines.join('\n'), verified: Object.fromEntries(Object.keys(r.verified).map((t) => [t, true])) };
  }
  await resumeDeviceRotation(begin, plan, deps);
  const { device, role } = begin.args ?? {};
  return { ...base, outcome: 'done', message: `device-token rotation ${begin.rotationId} was interrupted; the ${role} token of device ${device} was rotated again (the device re-authenticates with it)` };
}

/**
 * The targets a rotation touched: as recorded in its `begin` event (journal format 1), compared
 * with what the current policy says; an older journal without them is re-planned from the policy.
 */
function planOfRotation(policy: Policy, secret: string, summary: PlanSummary, rotationId: string, deps: RekeyDeps): { plan: Plan; policyChanged: boolean } {
  let now: Plan | null = null;
  try {
    now = planRotation(policy, secret, summary.filter, deps.planContext);
  } catch {
    now = null; // the secret or its filter is gone from the policy
  }
  if (summary.resolved) {
    const was = summary.resolved;
    const same = now !== null && JSON.stringify(now.targets.filter((t) => summary.targetIds.includes(t.id))) === JSON.stringify(was.targets) && now.backend === was.backend;
    return { plan: was, policyChanged: !same };
  }
  if (!now) {
    throw new RollbackFailedError(`the policy no longer describes rotation ${rotationId} of "${secret}", and its journal predates recorded targets`, {
      hint: 'restore the policy as it was when the rotation began, then run rekey resume again',
    });
  }
  const missing = summary.targetIds.filter((id) => !now.targets.some((t) => t.id === id));
  if (missing.length > 0) {
    throw new RollbackFailedError(`the policy no longer describes targets of rotation ${rotationId}: ${missing.join(', ')}`, {
      hint: 'restore the policy as it was when the rotation began, then run rekey resume again',
    });
  }
  return { plan: now, policyChanged: false };
}

/**
 * A rotation killed before its end and promoted by resume: its old values are logged for
 * retirement as the rotation would have (the policy's `retire.after`, or at once for a revoke).
 * The old values are the backend's previous versions, checked against the journaled fingerprints.
 */
async function retirementsAfterResume(policy: Policy, plan: Plan, begin: Extract<JournalEvent, { type: 'begin' }>, deps: RekeyDeps): Promise<void> {
  const backend = deps.backend(plan.backend);
  const olds = new Map<string, SecretValue | null>();
  for (const [ref, fp] of Object.entries(begin.oldFingerprints)) {
    if (!fp) continue;
    const prev = await deps.retry(`read previous ${ref}`, () => backend.read(ref, 'previous', deps.signal));
    if (prev?.value.fingerprint === fp) olds.set(ref, prev.value);
  }
  await planRetirements(policy, plan, olds, begin.rotationId, deps, { now: begin.retireNow === true });
}
