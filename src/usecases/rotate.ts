import type { AuditRecord } from '../audit/audit-record.js';
import { UnsafeError, UsageError } from '../core/errors.js';
import { SecretValue } from '../core/secret-value.js';
import { planRotation, refsOnOtherHosts, type Plan, type PlanFilter } from '../plan/planner.js';
import { openclawOf } from '../core/target.js';
import type { Policy } from '../policy/schema.js';
import { newRotationId, type RekeyDeps } from './context.js';
import { outcomeExit, outcomeMessage } from '../rotation/outcome.js';
import { preflight } from './preflight.js';
import { newValues, probeStandbyAware } from './new-values.js';
export { isPutVersion, mintGatewayToken } from './new-values.js';
import type { ProbeRecord } from './probe-keys.js';
import { refusedIsAudited } from './run-audit.js';
import { runRotation, type RunResult } from '../rotation/runner.js';
import { initialState, summarize, type JournalEvent, type RotationState } from '../rotation/state.js';
import type { Terminal } from '../rotation/transitions.js';
import { planRetirements, retireDue, type RetireResult } from './retire.js';
import { settleDrawn, type Drawn } from './standby.js';

export interface RotateReport {
  rotationId: string | null;
  plan: Plan;
  dryRun: boolean;
  /** `done`: an interrupted adopt or device-token rotation that resume finished */
  outcome: Terminal | 'dry-run' | 'done';
  exitCode: number;
  message: string;
  oldFingerprints: Record<string, string | null>;
  newFingerprints: Record<string, string>;
  verified: Record<string, boolean>;
  failure: RotationState['failure'];
  /** the provider's answers about the new keys before delivery */
  probes?: ProbeRecord[];
  /** values minted upstream for this rotation (issuer and upstream id, never the value) */
  minted?: { issuer: string; ref: string; id: string; expiresAt?: string }[];
  /** keys drawn from the standby pool for this rotation (they leave the pool once promoted) */
  standby?: Drawn[];
  /** the old credentials' retirements upstream: done now, or due later (`rekey retire --due`) */
  retirements?: RetireResult[];
  /** OpenClaw backups still holding an old value after a promote; `removed` with --scrub */
  residue?: { file: string; fingerprints: string[]; removed: boolean }[];
}

export async function rotate(policy: Policy, secret: string, filter: PlanFilter, opts: { dryRun: boolean; takeOverPending?: boolean; scrub?: boolean; retireNow?: boolean; maxParallel?: number; thisHostOnly?: boolean }, deps: RekeyDeps): Promise<RotateReport> {
  const started = deps.clock.now().getTime();
  const plan = planRotation(policy, secret, filter, deps.planContext);
  if (plan.targets.length === 0) {
    throw new UsageError('NO_TARGETS_HERE', `no target of "${secret}" is on this host (${deps.planContext.hostname})`, { hint: 'run rekey on the hosts listed in the plan, or rotate them all at once: rekey rotate <secret> --fleet (docs/fleet.md)' });
  }
  // a ref other hosts read too: promoted after verifying this host only, they would keep the old
  // value (and lose it when it is retired); the fleet rotation verifies every host first
  const shared = opts.thisHostOnly ? [] : refsOnOtherHosts(policy, plan, deps.planContext);
  if (shared.length > 0) {
    const hosts = [...new Set(shared.flatMap((s) => s.hosts))].sort();
    throw new UnsafeError('ROTATION_SPANS_HOSTS', `"${secret}" ${shared.map((s) => s.ref).join(', ')} is also delivered on ${hosts.join(', ')}: a rotation here would promote it after verifying ${deps.planContext.hostname} only`, {
      hint: `rekey rotate ${secret} --fleet rotates every host through the backend (docs/fleet.md); --this-host-only promotes after this host alone`,
      details: { refs: shared },
    });
  }
  const refuseUnfinished = async () => {
    const open = (await deps.journal.unfinished()).filter((u) => u.secret === secret);
    if (open.length > 0) {
      throw new UnsafeError('ROTATION_UNFINISHED', `rotation ${open[0]!.rotationId} of "${secret}" did not finish`, { hint: 'run `rekey resume` first', details: { rotations: open.map((o) => o.rotationId) } });
    }
  };
  await refuseUnfinished();
  // as Vault does: nothing changes unless an audit device can record it (the dry run checks it too)
  await deps.audit.ready?.();
  const base = { plan, failure: null, verified: {} } as const;
  if (opts.dryRun) {
    // the same checks as the real run, in the same order, up to the first write
    const { values, oldFp, wouldMint, drawn } = await newValues(policy, plan, deps, opts.takeOverPending === true, null);
    const probes = await probeStandbyAware(plan, values, drawn, false, deps);
    await preflight(plan, deps);
    const newFp = Object.fromEntries([...values].map(([r, v]) => [r, v.fingerprint]));
    const mintNote =
      (wouldMint.length ? ` (a new key would be minted at ${policy.secrets[secret]?.issuer} for ${wouldMint.join(', ')})` : '') +
      (drawn.length ? ` (drawn from the standby pool: ${drawn.map((d) => `${d.ref} ${d.id} ${d.fingerprint}, ${d.left} left`).join('; ')})` : '');
    return { ...base, probes, rotationId: null, dryRun: true, outcome: 'dry-run', exitCode: 0, message: `dry run: ${plan.targets.length} target(s) would get a new value${mintNote}; nothing was changed`, oldFingerprints: oldFp, newFingerprints: newFp };
  }
  const rotationId = newRotationId(deps);
  // the lock before pre-flight: a concurrent rotation's delivery must not look like drift
  const lock = await refusedIsAudited(() => deps.locks.acquire(secret, { rotationId, command: 'rotate' }), 'rotate', rotationId, plan, deps, started);
  try {
    const { values, olds, oldFp, probes, minted, drawn } = await refusedIsAudited(
      async () => {
        // re-check under the lock: another rotation may have begun between the check and the lock
        await refuseUnfinished();
        // the new values first (backend reads, encoding checks: a value no sink can hold is exit 2), then pre-flight
        const v = await newValues(policy, plan, deps, opts.takeOverPending === true, rotationId);
        // the provider must accept the new key before anything is written
        const probes = await probeStandbyAware(plan, v.values, v.drawn, true, deps);
        await preflight(plan, deps, opts.maxParallel ?? 1);
        return { ...v, probes };
      },
      'rotate',
      rotationId,
      plan,
      deps,
      started,
    );
    const newFp = Object.fromEntries([...values].map(([r, v]) => [r, v.fingerprint]));
    const summary = summarize(plan, filter);
    const begin: JournalEvent = { type: 'begin', rotationId, secret, at: deps.clock.now().toISOString(), plan: summary, oldFingerprints: oldFp, newFingerprints: newFp, ...(opts.retireNow ? { retireNow: true } : {}) };
    await deps.journal.append(begin);
    deps.onEvent?.(begin);
    await deps.afterAppend?.(begin);
    const state = { ...initialState(rotationId), phase: 'stage' as const };
    const r = await runRotation({ rotationId, summary, targets: plan.targets, newValues: values, oldValues: olds }, state, { ...deps, backend: deps.backend(plan.backend), parallel: opts.maxParallel ?? 1 });
    const report = finishedReport(rotationId, plan, r, { oldFingerprints: oldFp, newFingerprints: newFp });
    if (minted.length) report.minted = minted;
    if (drawn.length) report.standby = drawn;
    if (r.outcome === 'promoted') {
      await settleDrawn(deps.backend(plan.backend), drawn, deps);
      report.residue = await residue(plan, [...olds.values()].filter((v): v is SecretValue => v !== null), opts.scrub === true, deps);
      // the old credentials, retired upstream now (after: 0) or logged for `retire --due`; a rollback never retires anything
      const planned = await planRetirements(policy, plan, olds, rotationId, deps, { now: opts.retireNow === true });
      const now = deps.clock.now().getTime();
      const due = new Set(planned.filter((e) => Date.parse(e.dueAt) <= now).map((e) => e.id));
      if (planned.length) report.retirements = due.size ? await retireDue(policy, deps, due) : planned.map((e) => ({ id: e.id, secret: e.secret, ref: e.ref, fingerprint: e.fingerprint, dueAt: e.dueAt, outcome: 'not-due' as const }));
    }
    report.probes = probes;
    await deps.audit.append({ ...auditRecord('rotate', report, deps, started), ...(probes.length ? { probes } : {}), ...(minted.length ? { minted } : {}), ...(drawn.length ? { standby: drawn.map((d) => ({ ref: d.ref, id: d.id, fingerprint: d.fingerprint, event: 'drawn' as const })) } : {}) });
    return report;
  } finally {
    await lock.release();
  }
}

/** The report of a rotation the runner drove to an end (rotate and resume alike). */
export function finishedReport(
  rotationId: string,
  plan: Plan,
  r: RunResult,
  fp: { oldFingerprints: Record<string, string | null>; newFingerprints: Record<string, string> },
  prefix = '',
): RotateReport {
  return {
    rotationId,
    plan,
    dryRun: false,
    outcome: r.outcome,
    exitCode: outcomeExit(r.outcome, r.state),
    message: prefix + outcomeMessage(r.outcome, plan.secret, r.state),
    ...fp,
    verified: Object.fromEntries(r.verified),
    failure: r.state.failure,
  };
}

export function auditRecord(command: AuditRecord['command'], r: RotateReport, deps: RekeyDeps, started: number): AuditRecord {
  return {
    v: 1,
    at: deps.clock.now().toISOString(),
    rotationId: r.rotationId ?? '',
    command,
    actor: deps.actor,
    secret: r.plan.secret,
    layer: r.plan.layer,
    // operations resumed (`done`) write their own records (adopt.ts, devices.ts)
    outcome: r.outcome === 'done' ? 'adopted' : r.outcome,
    exitCode: r.exitCode,
    oldFingerprints: r.oldFingerprints,
    newFingerprints: r.newFingerprints,
    blastRadius: r.plan.blastRadius,
    rollbackPoint: r.oldFingerprints,
    targets: r.plan.targets.map((t) => ({ id: t.id, verified: r.verified[t.id] ?? null })),
    ...(r.failure ? { failure: { phase: r.failure.phase, item: r.failure.item, reason: r.failure.reason, code: r.failure.code } } : {}),
    ...(r.residue?.length ? { residue: r.residue } : {}),
    durationMs: deps.clock.now().getTime() - started,
  };
}

/** The OpenClaw state dirs of a plan's targets (where backups of openclaw.json live). */
export function stateDirs(plan: Plan, home: string): string[] {
  return [
    ...new Set(
      plan.targets.map((t) => openclawOf(t)?.stateDir ?? `${home}/.openclaw`),
    ),
  ];
}

/** After a promote: OpenClaw backups still holding an old value; removed only with --scrub. Never fails the rotation. */
async function residue(plan: Plan, olds: SecretValue[], scrub: boolean, deps: RekeyDeps): Promise<NonNullable<RotateReport['residue']>> {
  if (!deps.residue || olds.length === 0) return [];
  try {
    const hits = await deps.residue.scan(stateDirs(plan, deps.planContext.home), olds);
    const out = [];
    for (const h of hits) {
      if (scrub) await deps.residue.remove(h.file);
      deps.log.warn({ file: h.file, fingerprints: h.fingerprints, removed: scrub }, scrub ? 'removed an old copy of the secret' : 'an old copy of the secret remains');
      out.push({ ...h, removed: scrub });
    }
    return out;
  } catch (e) {
    deps.log.warn({ err: (e as Error).message }, 'residue scan failed');
    return [];
  }
}
