import type { AuditRecord } from '../audit/audit-record.js';
import { BackendError, UnsafeError, UsageError } from '../core/errors.js';
import { SecretValue } from '../core/secret-value.js';
import { planRotation, type Plan, type PlanFilter } from '../plan/planner.js';
import { openclawOf } from '../core/target.js';
import type { Policy } from '../policy/schema.js';
import { newRotationId, type RekeyDeps } from './context.js';
import { outcomeExit, outcomeMessage } from '../rotation/outcome.js';
import { preflight } from './preflight.js';
import { probeBeforeDelivery, type ProbeRecord } from './probe-keys.js';
import { assertDeliverable } from './deliverable.js';
import { refusedIsAudited } from './run-audit.js';
import { runRotation, type RunResult } from '../rotation/runner.js';
import { initialState, summarize, type JournalEvent, type RotationState } from '../rotation/state.js';
import type { Terminal } from '../rotation/transitions.js';
import { planRetirements, retireDue, type RetireResult } from './retire.js';
import { drawStandby, dropDead, settleDrawn, type Drawn } from './standby.js';

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

/** the provider probe before delivery; a drawn standby the provider refuses leaves the pool */
async function probeStandbyAware(plan: Plan, values: Map<string, SecretValue>, drawn: Drawn[], forReal: boolean, deps: RekeyDeps) {
  try {
    return await probeBeforeDelivery(plan, values, deps);
  } catch (e) {
    if (!(e instanceof UnsafeError) || e.code !== 'PROVIDER_REFUSED_KEY') throw e;
    const d = drawn.find((x) => x.ref === (e.details as { ref?: string } | undefined)?.ref);
    if (!d) throw e;
    const tail = await dropDead(deps.backend(plan.backend), d, forReal, deps);
    throw new UnsafeError(e.code, e.message + tail, { ...(e.details ? { details: e.details } : {}), ...(e.hint ? { hint: e.hint } : {}) });
  }
}

/** Mint a Gateway token: 256 bits from the CSPRNG, URL-safe. */
export function mintGatewayToken(deps: Pick<RekeyDeps, 'random'>): SecretValue {
  return SecretValue.of(deps.random.bytes(32).toString('base64url'));
}

/** A pending version staged by `rekey put` (ours to deliver); anything else belongs to another rotation. */
export const isPutVersion = (rotationId: string | undefined) => rotationId?.startsWith('put-') === true;

/**
 * The values this rotation will deliver: a pending value put by an operator, or (tokens) minted.
 * A pending version left by another rotation (another host's, a crashed one, an AWS Lambda's)
 * blocks: refused unless `takeOverPending`, which adopts its value (verification still gates it).
 */
async function newValues(policy: Policy, plan: Plan, deps: RekeyDeps, takeOverPending: boolean, mintFor: string | null) {
  const backend = deps.backend(plan.backend);
  const issuerName = policy.secrets[plan.secret]?.issuer;
  const issuer = issuerName && deps.issuer ? deps.issuer(issuerName) : null;
  const minted: NonNullable<RotateReport['minted']> = [];
  const wouldMint: string[] = [];
  const drawn: Drawn[] = [];
  const values = new Map<string, SecretValue>();
  const olds = new Map<string, SecretValue | null>();
  const oldFp: Record<string, string | null> = {};
  for (const ref of plan.refs) {
    await deps.retry(`check ${ref}`, async () => backend.checkWritable?.(ref, deps.signal));
    const [pending, current] = await Promise.all([
      deps.retry(`read pending ${ref}`, () => backend.read(ref, 'pending', deps.signal)),
      deps.retry(`read current ${ref}`, () => backend.read(ref, 'current', deps.signal)),
    ]);
    // AWS makes a secret's first version current at once: pending and current are then one
    // version, and there is no previous credential to protect or roll back to
    const firstVersion = pending !== null && current !== null && pending.versionId === current.versionId;
    const old = firstVersion ? null : current;
    oldFp[ref] = old?.value.fingerprint ?? null;
    olds.set(ref, old?.value ?? null);
    if (pending && !isPutVersion(pending.rotationId) && !takeOverPending) {
      throw new UnsafeError('PENDING_HELD', `${ref} has a pending version ${pending.versionId} (${pending.value.fingerprint}) left by another rotation (${pending.rotationId ?? 'unknown'})`, {
        details: { ref, versionId: pending.versionId },
        hint: 'another host may be rotating it now; if that rotation is dead, rerun with --take-over-pending to adopt and verify its value',
      });
    }
    let value = pending?.value;
    let mintedNow = false;
    // a Gateway token with no issuer named: rekey's own mint (the gateway-token issuer's default)
    if (!value && plan.layer === 'gateway-token' && !issuer?.can.mint) value = mintGatewayToken(deps);
    if (!value && issuer?.can.mint) {
      if (mintFor === null) {
        // dry run: nothing is minted (a minted key is a live credential)
        wouldMint.push(ref);
        continue;
      }
      // once, not retried: a retry after a lost answer could mint twice. Staged at once as a
      // put-version, so a kill after the mint leaves it pending for the next run, never lost
      const k = await issuer.mint!(`rekey-${mintFor}`, deps.signal);
      await deps.retry(`stage minted ${ref}`, () => backend.stage(ref, k.value, `put-mint-${mintFor}`, deps.signal));
      minted.push({ issuer: issuerName!, ref, id: k.id, ...(k.expiresAt ? { expiresAt: k.expiresAt } : {}) });
      deps.log.info({ issuer: issuerName, ref, id: k.id, fingerprint: k.value.fingerprint }, 'minted a new credential upstream');
      value = k.value;
      mintedNow = true;
    }
    // nothing pending, nothing to mint: the oldest key of the standby pool
    let standby: Drawn | undefined;
    if (!value && plan.layer === 'provider-key') {
      // a pool entry holding the current or the previous value was delivered already (a run killed
      // before its clean-up): never drawn again as a "new" key
      const previous = await deps.retry(`read previous ${ref}`, () => backend.read(ref, 'previous', deps.signal));
      const d = await drawStandby(backend, ref, [current?.value, previous?.value], deps);
      if (d) {
        ({ value } = d);
        standby = d.drawn;
        drawn.push(d.drawn);
        deps.log.info({ ref, standby: d.drawn.id, fingerprint: d.value.fingerprint, left: d.drawn.left }, 'drew a key from the standby pool');
      }
    }
    if (value && !mintedNow && issuer && plan.layer === 'provider-key') {
      // a key put by hand or drawn from the pool: it must be live upstream. An admin API that
      // cannot be reached does not stop the rotation: the provider probe still gates it
      const v = value;
      const up = await deps.retry(`check ${v.fingerprint} at ${issuerName}`, () => issuer.find(v, deps.signal)).catch((e: unknown) => {
        if (!(e instanceof BackendError) || !e.retryable) throw e;
        deps.log.warn({ issuer: issuerName, ref, code: e.code }, `could not check the new value at the issuer: ${e.message}`);
        return undefined;
      });
      if (up && up.status !== 'active') {
        const dropped = standby ? await dropDead(backend, standby, mintFor !== null, deps) : '';
        throw new UnsafeError('KEY_NOT_ACTIVE', `the new value for ${ref} (${value.fingerprint}) is ${up.status} at ${issuerName} (${up.id}): delivering it would break every consumer${dropped}`, { hint: 'put an active key, or reactivate this one upstream' });
      }
      if (up === null) deps.log.warn({ issuer: issuerName, ref, fingerprint: value.fingerprint }, 'the new value is not a key the issuer knows: it cannot be retired there later');
    }
    if (!value) {
      throw new UsageError('NO_PENDING_VALUE', `no new value for ${ref}: nothing pending, no issuer that mints, and no key in the standby pool`, {
        hint: `put one (rekey put ${plan.secret} --env <env> --stdin < key-file), or fill the pool ahead of need (--standby)`,
        details: { ref },
      });
    }
    if (old && old.value.equals(value)) {
      throw new UsageError('PENDING_IS_CURRENT', `the pending value for ${ref} is already current (${value.fingerprint}): nothing to rotate`);
    }
    // the checks the writes make, before anything is written (dry run included)
    assertDeliverable(plan.targets.filter((t) => t.ref === ref), value, deps);
    values.set(ref, value);
  }
  return { values, olds, oldFp, minted, wouldMint, drawn };
}

export async function rotate(policy: Policy, secret: string, filter: PlanFilter, opts: { dryRun: boolean; takeOverPending?: boolean; scrub?: boolean; retireNow?: boolean; maxParallel?: number }, deps: RekeyDeps): Promise<RotateReport> {
  const started = deps.clock.now().getTime();
  const plan = planRotation(policy, secret, filter, deps.planContext);
  if (plan.targets.length === 0) {
    throw new UsageError('NO_TARGETS_HERE', `no target of "${secret}" is on this host (${deps.planContext.hostname})`, { hint: 'run rekey on the hosts listed in the plan' });
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
