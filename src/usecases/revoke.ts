/**
 * Emergency revoke-and-reissue: a leaked credential, named by its secret or by its fingerprint,
 * contained everywhere rekey can see it. Default order: reissue, then retire — every consumer
 * moves to a new value (pending, minted, or drawn from the standby pool) through a normal
 * rotation, and the leaked value is retired upstream at once (no grace), whatever the policy's
 * `retire.after` says. `retireFirst` (a confirmed abuse): the leaked value is retired upstream
 * before anything else, accepting an outage until the reissue lands; with no new value, the report
 * lists who is left without a credential and the command that restores them. The report says, per
 * consumer, when it stopped holding the leaked value and when it verified with the new one, the
 * time to contain, and what still holds the fingerprint (sinks, OpenClaw backups).
 */
import { isRekeyError, RekeyError, UsageError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import type { Stage } from '../core/ports.js';
import type { SecretValue } from '../core/secret-value.js';
import { planRotation, refsOnOtherHosts, resolveTargets, type Plan, type PlanFilter } from '../plan/planner.js';
import type { Policy } from '../policy/schema.js';
import type { JournalEvent } from '../rotation/state.js';
import { newRotationId, type RekeyDeps } from './context.js';
import { planRetirements, retireDue, type RetireResult } from './retire.js';
import { rotate, type RotateReport } from './rotate.js';
import { holders, revokeRecord, sameFingerprint, type ConsumerContainment, type LeakMatch, type RevokeReport } from './revoke-report.js';
import { inResidue, revokeResidue } from './revoke-residue.js';
export { findFingerprintInResidue } from './revoke-residue.js';
export type { ConsumerContainment, LeakMatch, RevokeReport } from './revoke-report.js';

/**
 * A revoke restarts and verifies this many consumers side by side unless told otherwise: the time
 * to contain is what matters at 3 a.m. (a rotation's default stays 1: a scheduled job has no hurry
 * and should load the host least). Each verification is an `openclaw` process, CPU-bound: measured
 * on the 2-core test host (bench/run.mjs, 4 consumers), parallelism 2 contained in 0.96x the time
 * of one at a time and 4 queued behind itself; so 2, and `--max-parallel` on hosts with more cores.
 */
export const REVOKE_PARALLEL = 2;

/** every secret × env × ref whose current, pending or previous value has the fingerprint */
export async function findFingerprint(policy: Policy, fingerprint: string, deps: RekeyDeps): Promise<LeakMatch[]> {
  const out: LeakMatch[] = [];
  for (const [name, secret] of Object.entries(policy.secrets)) {
    const backend = deps.backend(secret.backend);
    const seen = new Set<string>();
    for (const t of resolveTargets(policy, name, deps.planContext)) {
      if (seen.has(t.ref)) continue;
      seen.add(t.ref);
      for (const stage of ['current', 'pending', 'previous'] as const) {
        const r = await deps.retry(`read ${stage} ${t.ref}`, () => backend.read(t.ref, stage, deps.signal));
        if (r && sameFingerprint(r.value.fingerprint, fingerprint)) out.push({ secret: name, env: t.env, ref: t.ref, stage, fingerprint: r.value.fingerprint });
      }
    }
  }
  return out;
}

export async function revoke(policy: Policy, secret: string, filter: PlanFilter, opts: { retireFirst: boolean; dryRun: boolean; scrub: boolean; fingerprint?: string; maxParallel?: number }, deps: RekeyDeps): Promise<RevokeReport> {
  const started = deps.clock.now();
  const plan = planRotation(policy, secret, filter, deps.planContext);
  const backend = deps.backend(plan.backend);
  const issuerName = policy.secrets[secret]?.issuer;
  // the leaked values: the current ones (or only the one with the fingerprint asked about)
  const leaked = new Map<string, { value: SecretValue; stage: Stage }>();
  for (const ref of plan.refs) {
    for (const stage of opts.fingerprint ? (['current', 'pending', 'previous'] as const) : (['current'] as const)) {
      const r = await deps.retry(`read ${stage} ${ref}`, () => backend.read(ref, stage, deps.signal));
      if (r && (!opts.fingerprint || sameFingerprint(r.value.fingerprint, opts.fingerprint)) && !leaked.has(ref)) leaked.set(ref, { value: r.value, stage });
    }
  }
  if (leaked.size === 0 && opts.fingerprint) {
    const found = await inResidue(plan, opts.fingerprint, deps);
    if (found.length) return revokeResidue(policy, plan, filter, found, opts, deps, started);
  }
  if (leaked.size === 0) {
    throw new UsageError('NOTHING_TO_REVOKE', opts.fingerprint ? `no version of "${secret}" and no OpenClaw backup of its consumers has the fingerprint ${opts.fingerprint}` : `"${secret}" has no current value to revoke`);
  }
  const base = {
    secret,
    env: filter.env ?? null,
    order: opts.retireFirst ? ('retire-first' as const) : ('reissue-then-retire' as const),
    dryRun: opts.dryRun,
    leaked: [...leaked].map(([ref, l]) => ({ ref, fingerprint: l.value.fingerprint, stage: l.stage })),
    startedAt: started.toISOString(),
  };
  const manual = issuerName ? [] : [...leaked.values()].map((l) => `no issuer for "${secret}": revoke ${l.value.fingerprint} in the provider's console now (rekey cannot retire it upstream)`);
  // an emergency does not wait for other hosts: this host is contained now, they converge on the new current
  for (const s of refsOnOtherHosts(policy, plan, deps.planContext)) {
    if (leaked.get(s.ref)?.stage === 'current') manual.push(`${s.ref} is also delivered on ${s.hosts.join(', ')}: they hold the revoked value until \`rekey agent\` (or \`rekey rotate ${secret} --this-host-only\`) runs there`);
  }
  const currentLeaks = [...leaked].filter(([, l]) => l.stage === 'current');
  const needsReissue = currentLeaks.length > 0;

  if (opts.dryRun) {
    const rotation = needsReissue ? await rotate(policy, secret, filter, { dryRun: true, thisHostOnly: true }, deps) : null;
    return {
      ...base,
      rotation: rotation && pick(rotation),
      retirements: [],
      manual,
      consumers: [],
      containedAt: null,
      timeToContainMs: null,
      stillHolding: [],
      exitCode: ExitCode.ok,
      message: `dry run: ${needsReissue ? `${plan.targets.length} consumer(s) would move to a new value, then ` : ''}${issuerName ? `${leaked.size} leaked value(s) would be retired at ${issuerName} at once` : 'the leaked value must be revoked in the provider console'}${opts.retireFirst ? ' (retired first)' : ''}; nothing was changed`,
    };
  }

  const retirements: RetireResult[] = [];
  /** when the last retirement upstream ended */
  let retiredAt: string | null = null;
  const retireLeaked = async (which: [string, { value: SecretValue; stage: Stage }][], tag: string) => {
    if (!issuerName || which.length === 0) return;
    const entries = await planRetirements(policy, plan, new Map(which.map(([ref, l]) => [ref, l.value])), tag, deps, { now: true });
    retirements.push(...(await retireDue(policy, deps, new Set(entries.map((e) => e.id)))));
    retiredAt = deps.clock.now().toISOString();
  };
  const revokeId = `revoke-${newRotationId(deps)}`;
  // versions no consumer holds any more (pending, previous): retired now, nothing to reissue
  await retireLeaked([...leaked].filter(([, l]) => l.stage !== 'current'), `${revokeId}-old`);
  if (opts.retireFirst) await retireLeaked(currentLeaks, revokeId);

  let rotation: RotateReport | null = null;
  let rotationError: RekeyError | null = null;
  if (needsReissue) {
    try {
      rotation = await rotate(policy, secret, filter, { dryRun: false, scrub: opts.scrub, retireNow: !opts.retireFirst, maxParallel: opts.maxParallel ?? REVOKE_PARALLEL, thisHostOnly: true }, deps);
    } catch (e) {
      if (!isRekeyError(e)) throw e;
      rotationError = e;
    }
    if (rotation?.retirements?.length) {
      retirements.push(...rotation.retirements);
      retiredAt = deps.clock.now().toISOString();
    }
  }
  const consumers = needsReissue ? await containment(plan, rotation?.rotationId ?? null, deps) : [];
  const stillHolding = await holders(plan, [...leaked.values()].map((l) => l.value), deps);
  const promoted = !needsReissue || rotation?.outcome === 'promoted';
  // without an issuer the leaked value stays valid upstream until someone revokes it in the console: not contained
  const retiredAll = !!issuerName && [...leaked.keys()].every((ref) => retirements.some((r) => r.ref === ref && (r.outcome === 'retired' || r.outcome === 'not-found')));
  const contained = promoted && retiredAll && stillHolding.length === 0;
  // contained once the last consumer verified with the new value and the leaked one was retired
  const times = [...consumers.map((c) => c.verifiedAt), retiredAt].filter((x): x is string => x !== null);
  const containedAt = contained ? (times.sort().at(-1) ?? deps.clock.now().toISOString()) : null;
  const withoutCredential =
    opts.retireFirst && rotationError?.code === 'NO_PENDING_VALUE'
      ? { targets: plan.targets.map((t) => t.id), restore: `printf %s "$NEW_KEY" | rekey put ${secret}${filter.env ? ` --env ${filter.env}` : ''} --stdin && rekey rotate ${secret}${filter.env ? ` --env ${filter.env}` : ''}` }
      : undefined;
  // 0 contained; 3 consumers left without a credential or a copy still held; the rotation's own code; 4 the retirement upstream failed
  const exitCode = contained
    ? ExitCode.ok
    : withoutCredential || (promoted && (stillHolding.length || !issuerName))
      ? ExitCode.unsafe
      : rotationError
        ? rotationError.exitCode
        : rotation && rotation.exitCode !== 0
          ? rotation.exitCode
          : ExitCode.backend;
  const report: RevokeReport = {
    ...base,
    rotation: rotation && pick(rotation),
    retirements,
    manual,
    consumers,
    containedAt,
    timeToContainMs: containedAt ? Date.parse(containedAt) - started.getTime() : null,
    stillHolding,
    ...(withoutCredential ? { withoutCredential } : {}),
    exitCode,
    message: contained
      ? `contained: ${consumers.length} consumer(s) on a new value, ${leaked.size} leaked value(s) retired at ${issuerName}`
      : promoted && !issuerName && stillHolding.length === 0
        ? `consumers moved to a new value, but the leaked value is still valid upstream: revoke it in the provider console now (no issuer in the policy)`
        : withoutCredential
        ? `the leaked value is retired; ${withoutCredential.targets.length} consumer(s) have no working credential until a new value is put: ${withoutCredential.restore}`
        : `NOT contained: ${rotationError ? rotationError.message : rotation && rotation.outcome !== 'promoted' ? rotation.message : stillHolding.length ? `${stillHolding.length} place(s) still hold the leaked value` : 'the leaked value is not retired upstream (see retirements)'}`,
  };
  await deps.audit.append(revokeRecord(revokeId, plan, report, deps, started.getTime()));
  return report;
}

const pick = (r: RotateReport): NonNullable<RevokeReport['rotation']> => ({
  rotationId: r.rotationId,
  outcome: r.outcome,
  exitCode: r.exitCode,
  message: r.message,
  newFingerprints: r.newFingerprints,
  ...(r.minted ? { minted: r.minted } : {}),
  ...(r.standby ? { standby: r.standby } : {}),
  ...(r.residue ? { residue: r.residue } : {}),
});

/** per consumer, from the rotation's journal: when its sink (and unit) stopped holding the old value, when it verified */
async function containment(plan: Plan, rotationId: string | null, deps: RekeyDeps): Promise<ConsumerContainment[]> {
  const events: JournalEvent[] = rotationId ? await deps.journal.read(rotationId).catch(() => []) : [];
  const okAt = (phase: string, item: string) => events.find((e): e is Extract<JournalEvent, { type: 'ok' }> => e.type === 'ok' && e.phase === phase && e.item === item)?.at ?? null;
  return plan.targets.map((t) => {
    const delivered = okAt('deliver', t.id);
    const restarted = t.service ? okAt('restart', t.service.unit) : null;
    const stopped = delivered && (!t.service || restarted) ? [delivered, restarted].filter((x): x is string => x !== null).sort().at(-1)! : null;
    return { target: t.id, agent: t.agent, env: t.env, host: t.host === '*' ? deps.planContext.hostname : t.host, unit: t.service?.unit ?? null, stoppedHoldingAt: stopped, verifiedAt: okAt('verify', t.id) };
  });
}
