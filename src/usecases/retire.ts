/**
 * Retiring old credentials upstream (policy `retire: { after }` and an `issuer` that can). After a
 * promote — never after a rollback — each old value is kept (encrypted, in the snapshot store)
 * and logged as a retirement due at promote + `after`. `retireDue` (run right after a promote
 * when `after` is 0, by `rekey retire --due`, `rotate --due` and `resume`) retires every due
 * entry through the issuer, verifies it (the issuer no longer reports the key active; where the
 * provider can be asked, the old key is refused), closes it and writes an audit record. Each step
 * is idempotent: a run killed part-way is finished by the next.
 */
import type { AuditRecord } from '../audit/audit-record.js';
import { isRekeyError } from '../core/errors.js';
import type { RetirementEntry } from '../core/ports.js';
import type { SecretValue } from '../core/secret-value.js';
import { resolveTargets, type Plan } from '../plan/planner.js';
import { durationMs } from '../policy/schedule.js';
import type { Policy } from '../policy/schema.js';
import type { RekeyDeps } from './context.js';

export interface RetireResult {
  id: string;
  secret: string;
  ref: string;
  fingerprint: string;
  outcome: 'retired' | 'not-found' | 'failed' | 'not-due';
  dueAt: string;
  upstream?: string;
  /** the provider's answer to the old key, when it could be asked */
  probe?: string;
  detail?: string;
}

/** after a promote: log the old values for retirement (nothing when the policy says never) */
export async function planRetirements(policy: Policy, plan: Plan, olds: Map<string, SecretValue | null>, rotationId: string, deps: RekeyDeps, opts: { now?: boolean } = {}): Promise<RetirementEntry[]> {
  const secret = policy.secrets[plan.secret];
  // `now` (an emergency revoke): at once, whatever the policy's grace period says
  if (!secret?.issuer || (secret.retire.after === 'never' && !opts.now) || !deps.retirements) return [];
  const after = opts.now || secret.retire.after === 0 || secret.retire.after === 'never' ? 0 : durationMs(secret.retire.after);
  const dueAt = new Date(deps.clock.now().getTime() + after).toISOString();
  const out: RetirementEntry[] = [];
  let n = 0;
  for (const [ref, old] of olds) {
    if (!old) continue;
    const e: RetirementEntry = { id: `retire-${rotationId}-${n++}`, secret: plan.secret, issuer: secret.issuer, ref, fingerprint: old.fingerprint, rotationId, dueAt };
    // the value first (encrypted): an entry in the log always has one to retire
    await deps.snapshots.save(e.id, { sinkKind: 'retirement', targetId: ref, data: old });
    await deps.retirements.add(e);
    out.push(e);
  }
  return out;
}

/** retire every open entry that is due (or those named); never throws for one entry's failure */
export async function retireDue(policy: Policy, deps: RekeyDeps, only?: Set<string>): Promise<RetireResult[]> {
  if (!deps.retirements || !deps.issuer) return [];
  const results: RetireResult[] = [];
  const now = deps.clock.now().getTime();
  for (const e of await deps.retirements.open()) {
    if (only && !only.has(e.id)) continue;
    const base = { id: e.id, secret: e.secret, ref: e.ref, fingerprint: e.fingerprint, dueAt: e.dueAt };
    if (Date.parse(e.dueAt) > now) {
      results.push({ ...base, outcome: 'not-due' });
      continue;
    }
    const started = deps.clock.now().getTime();
    let r: RetireResult;
    try {
      r = { ...base, ...(await retireOne(policy, e, deps)) };
    } catch (err) {
      r = { ...base, outcome: 'failed', detail: (err as Error).message };
      deps.log.warn({ retirement: e.id, ref: e.ref, fingerprint: e.fingerprint, code: isRekeyError(err) ? err.code : undefined }, `retirement failed: ${(err as Error).message}`);
    }
    results.push(r);
    await deps.audit.append(retireRecord(e, r, policy.secrets[e.secret]?.layer ?? 'provider-key', deps, started));
  }
  return results;
}

async function retireOne(policy: Policy, e: RetirementEntry, deps: RekeyDeps): Promise<Pick<RetireResult, 'outcome' | 'upstream' | 'probe' | 'detail'>> {
  const snap = await deps.snapshots.load(e.id, e.ref);
  if (!snap) throw new Error(`the old value of ${e.ref} (${e.fingerprint}) for retirement ${e.id} is not in the snapshot store`);
  const old = snap.data;
  const issuer = deps.issuer!(e.issuer);
  const done = await deps.retry(`retire ${e.fingerprint} at ${e.issuer}`, () => issuer.retire(old, deps.signal));
  // verified: the issuer no longer reports it active …
  const after = await deps.retry(`check ${e.fingerprint} at ${e.issuer}`, () => issuer.find(old, deps.signal));
  if (after && after.status === 'active') throw new Error(`${e.issuer} still reports ${e.fingerprint} (${after.id}) active after retiring it`);
  // … and, where the provider can be asked, refuses the old key
  let probe: string | undefined;
  const target = deps.probe ? findTarget(policy, e, deps) : undefined;
  if (deps.probe && target) {
    const p = await deps.probe(target, old, deps.signal).catch((x: unknown) => ({ result: 'unreachable' as const, why: (x as Error).message }));
    probe = p.result;
    if (p.result === 'accepted') throw new Error(`the provider still accepts the retired key ${e.fingerprint}`);
  }
  const status = done.id === 'unknown' ? 'not-found' : 'retired';
  await deps.retirements!.close(e.id, { status, at: deps.clock.now().toISOString(), upstream: `${done.id} ${done.status}` });
  await deps.snapshots.drop(e.id);
  return { outcome: status, upstream: `${done.id} ${after?.status ?? 'gone'}`, ...(probe ? { probe } : {}) };
}

/** a target of the retirement's ref on this host, for the provider probe (none: not probed) */
function findTarget(policy: Policy, e: RetirementEntry, deps: RekeyDeps) {
  const secret = policy.secrets[e.secret];
  if (!secret || secret.layer !== 'provider-key' || secret.probe === 'off') return undefined;
  // resolve lazily: the planner is pure and cheap
  return resolveForRef(policy, e, deps);
}

const resolveForRef = (policy: Policy, e: RetirementEntry, deps: RekeyDeps) => {
  try {
    return resolveTargets(policy, e.secret, deps.planContext).find((t) => t.ref === e.ref && (t.host === '*' || t.host === deps.planContext.hostname));
  } catch {
    return undefined;
  }
};

function retireRecord(e: RetirementEntry, r: RetireResult, layer: AuditRecord['layer'], deps: RekeyDeps, started: number): AuditRecord {
  return {
    v: 1,
    at: deps.clock.now().toISOString(),
    rotationId: e.id,
    command: 'retire',
    actor: deps.actor,
    secret: e.secret,
    layer,
    outcome: r.outcome === 'failed' ? 'failed' : 'retired',
    exitCode: r.outcome === 'failed' ? 4 : 0,
    oldFingerprints: { [e.ref]: e.fingerprint },
    newFingerprints: {},
    blastRadius: { agents: [], environments: [], hosts: [], units: [], files: [], keychainItems: [], authProfiles: [], backendRefs: [e.ref] },
    rollbackPoint: {},
    targets: [],
    ...(r.outcome === 'failed' ? { failure: { phase: 'retire', reason: r.detail ?? 'failed' } } : {}),
    retirement: { issuer: e.issuer, rotationId: e.rotationId, dueAt: e.dueAt, ...(r.upstream ? { upstream: r.upstream } : {}), ...(r.probe ? { probe: r.probe } : {}) },
    durationMs: deps.clock.now().getTime() - started,
  };
}
