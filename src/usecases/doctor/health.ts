/**
 * Checks 6 and 7: old values in OpenClaw's backups (residue), and rotation health: age vs maxAge,
 * unfinished rotations, stale locks, retirements past due, standby pool depth, CI leases past expiry.
 */
import type { SecretValue } from '../../core/secret-value.js';
import type { Plan } from '../../plan/planner.js';
import { dueStates } from '../due.js';
import { allLeases } from '../ci/lease-book.js';
import { stateDirs } from '../rotate.js';
import { finding, type Finding } from './codes.js';
import type { DoctorContext } from './context.js';

export async function residueChecks(c: DoctorContext, plan: Plan): Promise<Finding[]> {
  const scanner = c.deps.residue;
  if (!scanner || plan.targets.length === 0) return [];
  const backend = c.deps.backend(plan.backend);
  const olds: SecretValue[] = [];
  for (const ref of plan.refs) {
    const prev = await c.deps.retry(`read previous ${ref}`, () => c.bound(backend.read(ref, 'previous', c.deps.signal), `read previous ${ref}`));
    if (prev) olds.push(prev.value);
  }
  if (olds.length === 0) return [];
  const hits = await c.bound(scanner.scan(stateDirs(plan, c.deps.planContext.home), olds), `residue scan of ${plan.secret}`);
  return hits.map((h) =>
    finding('RESIDUE_OLD_VALUE', plan.layer, h.file, `${h.file} still holds an old value of ${plan.secret} (${h.fingerprints.join(', ')})`, `rm -- '${h.file}'  # or, to also retire it upstream: rekey revoke --fingerprint '${h.fingerprints[0]}' --scrub`, { secret: plan.secret, file: h.file, fingerprints: h.fingerprints }),
  );
}

export async function rotationChecks(c: DoctorContext, env: string | undefined): Promise<Finding[]> {
  const out: Finding[] = [];
  const { deps } = c;
  const names = new Set(c.plans.filter((p) => p.targets.length > 0).map((p) => p.secret));
  for (const s of await dueStates(c.policy, deps)) {
    if (!names.has(s.secret) || (env !== undefined && s.env !== env)) continue;
    const layer = c.policy.secrets[s.secret]!.layer;
    const ev = { secret: s.secret, env: s.env, refs: s.refs, ...(s.dueAt ? { dueAt: s.dueAt } : {}) };
    if (s.state === 'expired') out.push(finding('ROTATION_OVERDUE', layer, `${s.secret} × ${s.env}`, `${s.secret} × ${s.env} is past its maxAge (due ${s.dueAt})`, `rekey rotate ${s.secret} --env ${s.env}`, ev));
    if (s.state === 'expiring') out.push(finding('ROTATION_DUE_SOON', layer, `${s.secret} × ${s.env}`, `${s.secret} × ${s.env} reaches its maxAge at ${s.dueAt}`, `rekey rotate --due --dry-run`, ev));
    if (s.state === 'missing') out.push(finding('NO_CURRENT_VERSION', layer, `${s.secret} × ${s.env}`, `the backend has no current version of ${s.secret} × ${s.env}`, `rekey put ${s.secret} --env ${s.env} --stdin && rekey rotate ${s.secret} --env ${s.env}`, ev));
    if (s.standby && s.standby.depth < s.standby.min) {
      out.push(finding('STANDBY_LOW', layer, `${s.secret} × ${s.env}`, `${s.secret} × ${s.env} has ${s.standby.depth} standby key(s), minStandby is ${s.standby.min}`, `rekey put ${s.secret} --env ${s.env} --standby --stdin`, { ...ev, depth: s.standby.depth, min: s.standby.min }));
    }
  }
  for (const u of await deps.journal.unfinished()) {
    if (!names.has(u.secret)) continue;
    out.push(finding('ROTATION_UNFINISHED', c.policy.secrets[u.secret]!.layer, u.secret, `rotation ${u.rotationId} of ${u.secret} did not finish${u.damaged ? ' (its journal is damaged)' : ''}`, 'rekey resume', { secret: u.secret, rotationId: u.rotationId, damaged: u.damaged === true }));
  }
  for (const name of names) {
    const lock = await deps.locks.inspect(name);
    if (lock && !lock.alive) out.push(finding('ROTATION_LOCK_STALE', c.policy.secrets[name]!.layer, name, `${name} is locked by pid ${lock.pid} on ${lock.host} (rotation ${lock.rotationId}), which is gone`, 'rekey resume  # recovers the lock and finishes or rolls back the rotation', { secret: name, pid: lock.pid, host: lock.host, since: lock.since }));
  }
  const now = deps.clock.now().toISOString();
  // CI leases (policy `ci:`): one past its expiry was not reaped (the timer is off, or reaping fails)
  if (c.policy.ci) {
    for (const l of await allLeases(c.policy, deps)) {
      if (l.expiresAt > now) continue;
      out.push(finding('CI_LEASE_EXPIRED', 'provider-key', `${l.runner} × ${l.secret}`, `lease ${l.id} of runner ${l.runner} (${l.secret}, ${l.fingerprint}) expired at ${l.expiresAt} and was not ended`, 'rekey ci reap', { lease: l.id, runner: l.runner, secret: l.secret, fingerprint: l.fingerprint, expiresAt: l.expiresAt, ref: l.ref, ...(l.upstreamId ? { upstreamId: l.upstreamId } : {}) }));
    }
  }
  for (const e of (await deps.retirements?.open()) ?? []) {
    if (!names.has(e.secret) || e.dueAt > now) continue;
    out.push(finding('RETIREMENT_PENDING', c.policy.secrets[e.secret]!.layer, e.secret, `${e.fingerprint} of ${e.secret} was due for retirement upstream at ${e.dueAt} and is still not retired`, 'rekey retire --due', { secret: e.secret, fingerprint: e.fingerprint, dueAt: e.dueAt, issuer: e.issuer }));
  }
  return out;
}
