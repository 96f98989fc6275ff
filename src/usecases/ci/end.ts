/**
 * The end of a CI lease (`rekey ci revoke`, `rekey ci reap`, or a newer lease of the same runner
 * and secret): the key is retired upstream by the secret's issuer, the provider is asked whether
 * it still accepts it (it must not), the value is deleted from the backend (unless a newer lease
 * holds the ref), the record leaves the lease book, and the audit log says what happened. A key
 * that may still work (the issuer unreachable, the provider still accepting it) keeps its value
 * and its record, so the next `ci reap` or `ci revoke` tries again: nothing is lost track of.
 */
import type { AuditRecord } from '../../audit/audit-record.js';
import type { SecretValue } from '../../core/secret-value.js';
import { resolveTargets } from '../../plan/planner.js';
import type { Policy } from '../../policy/schema.js';
import { type RekeyDeps } from '../context.js';
import { failureOf } from '../run-audit.js';
import { allLeases, leaseBook, type LeaseRecord } from './lease-book.js';
import { endDevice } from './device.js';
import { leaseAudit, probeLease } from './lease-audit.js';

export interface EndedLease {
  id: string;
  runner: string;
  secret: string;
  fingerprint: string;
  reason: 'revoked' | 'expired' | 'replaced';
  /** the issuer's answer (`deleted`, `inactive`, …), or why it was not asked */
  upstream: string;
  /** the provider's answer to the retired key: `refused …` is the goal */
  probe: string;
  /** the value was deleted from the backend */
  removed: boolean;
  /** the key no longer works: retired upstream (or expired at the provider) and not accepted there */
  ended: boolean;
  /** not ended, but dropped from the book on the operator's word (`ci revoke --forget`: retired by hand) */
  forgotten: boolean;
}

/** the lease's value, from the backend: current while it is the runner's lease, previous once a newer one replaced it */
async function valueOf(l: LeaseRecord, deps: RekeyDeps): Promise<{ value: SecretValue | null; isCurrent: boolean }> {
  const b = deps.backend(l.backend);
  const cur = await deps.retry(`read current ${l.ref}`, () => b.read(l.ref, 'current', deps.signal));
  if (cur?.value.fingerprint === l.fingerprint) return { value: cur.value, isCurrent: true };
  const prev = await deps.retry(`read previous ${l.ref}`, () => b.read(l.ref, 'previous', deps.signal));
  return { value: prev?.value.fingerprint === l.fingerprint ? prev.value : null, isCurrent: false };
}

/** what the upstream says at a lease's end: the key retired (or expired) and the provider asked */
async function endUpstream(policy: Policy, l: LeaseRecord, deps: RekeyDeps): Promise<{ upstream: string; probe: string; ended: boolean; isCurrent: boolean; failure?: AuditRecord['failure'] }> {
  if (l.source === 'device') {
    try {
      return { ...(await endDevice(policy, l, deps)), isCurrent: false };
    } catch (e) {
      const failure = failureOf(e);
      return { upstream: `device not revoked: ${failure.reason}`, probe: 'not asked', ended: false, isCurrent: false, failure };
    }
  }
  const sp = policy.secrets[l.secret];
  const issuer = l.issuer && deps.issuer ? deps.issuer(l.issuer) : null;
  const { value, isCurrent } = await valueOf(l, deps);
  let upstream: string;
  let retired = false;
  let failure: AuditRecord['failure'] | undefined;
  const expiredAtProvider = l.providerExpiresAt !== null && Date.parse(l.providerExpiresAt) <= deps.clock.now().getTime();
  if (!value) {
    upstream = 'not asked: the value is no longer in the backend (deleted by someone else); retire it upstream by its id';
  } else if (!issuer?.can.retire) {
    upstream = expiredAtProvider ? `expired at the provider (${l.providerExpiresAt})` : 'not retired: no issuer can retire it';
    retired = expiredAtProvider;
  } else {
    try {
      const r = await deps.retry(`retire ${l.fingerprint}`, () => issuer.retire(value, deps.signal));
      upstream = `${r.status} (${r.id})`;
      retired = r.status !== 'active';
    } catch (e) {
      failure = failureOf(e);
      upstream = `retire failed: ${failure.reason}`;
    }
  }
  const t = sp ? resolveTargets(policy, l.secret, deps.planContext).find((x) => l.env === null || x.env === l.env) : undefined;
  const asked = value && sp ? await probeLease(sp, t, value, deps).catch((e: unknown) => ({ result: 'skipped' as const, detail: `not asked (${(e as Error).message})` })) : { result: 'skipped' as const, detail: 'not asked (no value)' };
  // the provider's answer wins over the issuer's: a key it still accepts has not ended
  const ended = asked.result === 'refused' || (retired && asked.result !== 'accepted');
  return { upstream, probe: asked.detail, ended, isCurrent, ...(failure ? { failure } : {}) };
}

export async function endLease(policy: Policy, l: LeaseRecord, reason: EndedLease['reason'], deps: RekeyDeps, forget = false): Promise<EndedLease> {
  const started = deps.clock.now().getTime();
  const sp = policy.secrets[l.secret];
  const { upstream, probe, ended, isCurrent, ...f } = await endUpstream(policy, l, deps);
  // ended (the provider refuses it) even if the issuer's call failed: the answer stays in `upstream`
  const failure = ended ? undefined : (f.failure ?? { reason: `the key ${l.fingerprint} of lease ${l.id} may still work: ${upstream}; provider: ${probe}`, code: 'LEASE_STILL_VALID' });
  // a key that may still work keeps its value and its record, so the next reap or revoke retries;
  // an ended one leaves the backend (unless a newer lease of this runner holds the ref now) and the book
  let removed = false;
  if (ended) {
    const b = deps.backend(l.backend);
    if (reason !== 'replaced' && isCurrent && b.remove) {
      await deps.retry(`remove ${l.ref}`, () => b.remove!(l.ref, deps.signal));
      removed = true;
    }
    await leaseBook(policy, l.backend, deps).remove(l.id);
  }
  const forgotten = !ended && forget;
  if (forgotten) await leaseBook(policy, l.backend, deps).remove(l.id);
  await deps.audit.append(leaseAudit('ci-end', 'lease-ended', l, sp?.layer ?? 'provider-key', deps, started, { probe, ended: { reason: forgotten ? 'forgotten' : reason, upstream, probe, removed }, ...(failure ? { failure } : {}) }));
  deps.log.info({ lease: l.id, runner: l.runner, secret: l.secret, fingerprint: l.fingerprint, reason, upstream, probe, removed }, 'ci lease ended');
  return { id: l.id, runner: l.runner, secret: l.secret, fingerprint: l.fingerprint, reason, upstream, probe, removed, ended, forgotten };
}

/** `rekey ci revoke <runner|lease id>`: every live lease of that runner, or that one lease; `forget`: drop the records of keys that could not be ended (retired by hand) */
export async function revokeLeases(policy: Policy, which: string, deps: RekeyDeps, forget = false): Promise<EndedLease[]> {
  const leases = (await allLeases(policy, deps)).filter((l) => l.id === which || l.runner === which);
  const out: EndedLease[] = [];
  for (const l of leases) out.push(await endLease(policy, l, 'revoked', deps, forget));
  return out;
}

/** `rekey ci reap`: every lease past its expiry; with `dryRun`, only which */
export async function reapLeases(policy: Policy, deps: RekeyDeps, dryRun = false): Promise<{ expired: LeaseRecord[]; ended: EndedLease[] }> {
  const now = deps.clock.now().getTime();
  const expired = (await allLeases(policy, deps)).filter((l) => Date.parse(l.expiresAt) <= now);
  const ended: EndedLease[] = [];
  if (!dryRun) for (const l of expired) ended.push(await endLease(policy, l, 'expired', deps));
  return { expired, ended };
}
