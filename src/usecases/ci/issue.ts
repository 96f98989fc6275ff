/**
 * `rekey ci issue`: a credential of a runner's own. Minted upstream for this lease (with the
 * provider's own expiry where the issuer can set one) or drawn from the secret's standby pool;
 * never a value any other consumer holds, never a secret kept for humans. Asked of the provider
 * before it is stored, stored as the current value of `<prefix>/<runner>/<secret>` (what the
 * runner's identity may read), recorded in the lease book and the audit log. A runner's earlier
 * lease of the same secret ends once the new one is in place.
 */
import { UnsafeError, UsageError } from '../../core/errors.js';
import type { Issuer } from '../../core/ports.js';
import type { SecretValue } from '../../core/secret-value.js';
import type { Target } from '../../core/target.js';
import { resolveTargets } from '../../plan/planner.js';
import type { Policy } from '../../policy/schema.js';
import { sortableId, type RekeyDeps } from '../context.js';
import { drawStandby } from '../standby.js';
import { allLeases, assertRunnerId, leaseBook, leaseRef, leaseTtlMs, type LeaseRecord } from './lease-book.js';
import { endLease, type EndedLease } from './end.js';
import { leaseAudit, probeLease } from './lease-audit.js';

export interface IssueRequest {
  runner: string | undefined;
  secret: string | undefined;
  env?: string | undefined;
  ttl: string;
  job?: string | undefined;
}

/** the targets of a secret in one environment (or all), for the probe's base URL and the standby refs */
function targetsOf(policy: Policy, secret: string, env: string | undefined, deps: RekeyDeps): Target[] {
  return resolveTargets(policy, secret, deps.planContext).filter((t) => env === undefined || t.env === env);
}

/** where else `value` is held: a human's secret, this secret's consumers, another lease; null if nowhere */
async function heldElsewhere(policy: Policy, value: SecretValue, leases: LeaseRecord[], deps: RekeyDeps): Promise<string | null> {
  const other = leases.find((l) => l.fingerprint === value.fingerprint);
  if (other) return `lease ${other.id} of runner ${other.runner}`;
  for (const [name, s] of Object.entries(policy.secrets)) {
    const refs = [...new Set(resolveTargets(policy, name, deps.planContext).map((t) => t.ref))];
    for (const ref of refs) {
      const b = deps.backend(s.backend);
      for (const stage of ['current', 'pending', 'previous'] as const) {
        const r = await deps.retry(`read ${stage} ${ref}`, () => b.read(ref, stage, deps.signal));
        if (r?.value.equals(value)) return `${s.audience === 'human' ? "a human's secret" : 'secret'} ${name} (${ref}, ${stage})`;
      }
    }
  }
  return null;
}

export async function issueLease(policy: Policy, req: IssueRequest, deps: RekeyDeps): Promise<{ lease: LeaseRecord; replaced: EndedLease[] }> {
  assertRunnerId(req.runner);
  const runner = req.runner;
  const name = req.secret;
  const sp = name ? policy.secrets[name] : undefined;
  if (!name || !sp) throw new UsageError('UNKNOWN_SECRET', `no secret "${name ?? ''}" in the policy`, { hint: `secrets: ${Object.keys(policy.secrets).join(', ')}` });
  if (sp.audience === 'human') {
    throw new UnsafeError('HUMAN_CREDENTIAL_TO_CI', `secret ${name} is kept for humans (audience: human): it is never issued to a CI runner`, { hint: 'give CI a secret of its own, with an issuer that mints keys' });
  }
  if (sp.layer === 'gateway-token') {
    throw new UsageError('CI_GATEWAY_NEEDS_DEVICE', `secret ${name} is the Gateway token: CI never gets it; a runner reaches the Gateway with a device of its own`, { hint: `pair the runner's device, then: rekey ci issue --runner ${runner} --secret ${name} --device <deviceId> --ttl 8h` });
  }
  if (req.env !== undefined && !(req.env in policy.environments)) throw new UsageError('UNKNOWN_ENV', `no environment "${req.env}" in the policy`);
  const ttlMs = leaseTtlMs(policy, req.ttl);
  const issuer: Issuer | null = sp.issuer && deps.issuer ? deps.issuer(sp.issuer) : null;
  const targets = targetsOf(policy, name, req.env, deps);
  await deps.audit.ready?.();
  const started = deps.clock.now().getTime();
  const id = `lease-${sortableId(deps, 6)}`;
  const ref = leaseRef(policy, runner, name);
  const backend = deps.backend(sp.backend);
  const leases = await allLeases(policy, deps);

  // the value: minted for this runner, or an admin's pre-minted standby key
  let value: SecretValue;
  let source: LeaseRecord['source'];
  let upstreamId: string | null = null;
  let providerExpiresAt: string | null = null;
  let drawn: { ref: string; id: string } | null = null;
  if (issuer?.can.mint && issuer.mint) {
    const m = await issuer.mint(`rekey-ci-${runner}-${id}`, deps.signal, { ttlSeconds: Math.ceil(ttlMs / 1000) });
    value = m.value;
    source = 'minted';
    upstreamId = m.id;
    providerExpiresAt = m.expiresAt ?? null;
  } else {
    const refs = [...new Set(targets.map((t) => t.ref))];
    if (refs.length !== 1) {
      throw new UsageError(refs.length ? 'CI_NEEDS_ENV' : 'CI_NO_SOURCE', refs.length ? `secret ${name} has ${refs.length} refs (${refs.join(', ')}): say which environment's standby pool to draw from with --env` : `secret ${name} has no delivery${req.env ? ` in ${req.env}` : ''} and no issuer that mints`);
    }
    const d = await drawStandby(backend, refs[0]!, [], deps);
    if (!d) {
      throw new UnsafeError('CI_NO_SOURCE', `secret ${name}: its issuer cannot mint and the standby pool of ${refs[0]} is empty`, { hint: `mint a key for the runner in the provider's console, then: rekey put ${name}${req.env ? ` --env ${req.env}` : ''} --standby --stdin` });
    }
    value = d.value;
    source = 'standby';
    drawn = { ref: d.drawn.ref, id: d.drawn.id };
    const found = issuer ? await issuer.find(value, deps.signal) : null;
    upstreamId = found?.id ?? null;
  }
  // a lease must end upstream: by the provider's own expiry or by an issuer that can retire it
  if (!providerExpiresAt && !issuer?.can.retire) {
    const orphan = source === 'minted' ? ` (the key just minted, upstream id ${upstreamId}, must be deleted upstream by hand)` : '';
    throw new UsageError('CI_LEASE_NOT_RETIRABLE', `secret ${name}: no issuer can retire its keys and the provider sets no expiry, so a lease could not be ended${orphan}`, { hint: 'name an issuer with an admin key (anthropic-admin, openai-admin, openrouter-admin) on the secret' });
  }

  const where = await heldElsewhere(policy, value, leases, deps);
  if (where) {
    if (source === 'minted') await issuer?.retire(value, deps.signal).catch(() => undefined);
    throw new UnsafeError('CI_VALUE_HELD', `the ${source} value ${value.fingerprint} is already held by ${where}: a runner's lease is its own`, { hint: drawn ? `remove that standby entry: it is in use (rekey status ${name})` : 'the issuer returned a key in use: check it upstream' });
  }
  const probed = await probeLease(sp, targets[0], value, deps);
  // as for a rotation: a refusal always stops it; a provider that cannot be reached stops it under `probe: required`
  const refused = probed.result === 'refused';
  if (refused || (probed.result === 'unreachable' && sp.layer === 'provider-key' && sp.probe === 'required')) {
    if (source === 'minted') await issuer?.retire(value, deps.signal).catch(() => undefined);
    if (drawn) await deps.retry('standby remove', () => backend.standby!.remove(drawn!.ref, drawn!.id, deps.signal));
    throw new UnsafeError(refused ? 'PROVIDER_REFUSED_KEY' : 'PROVIDER_UNREACHABLE', `the provider ${refused ? 'refuses' : 'cannot be asked about'} the ${source} key ${value.fingerprint} for runner ${runner}: ${probed.detail}; nothing was issued`, refused ? {} : { hint: 'retry when the provider answers, or set probe: best-effort on the secret' });
  }

  const now = deps.clock.now();
  const lease: LeaseRecord = {
    id,
    runner,
    job: req.job ?? null,
    secret: name,
    env: req.env ?? null,
    backend: sp.backend,
    ref,
    fingerprint: value.fingerprint,
    issuedAt: now.toISOString(),
    expiresAt: new Date(Math.min(now.getTime() + ttlMs, providerExpiresAt ? Date.parse(providerExpiresAt) : Infinity)).toISOString(),
    source,
    issuer: sp.issuer ?? null,
    upstreamId,
    providerExpiresAt,
  };
  // recorded before the runner can read it (a crash after this leaves a record naming the upstream
  // id, never an untracked key); any failure before the end takes it back: the minted key retired,
  // the record and the staged value dropped
  const book = leaseBook(policy, sp.backend, deps);
  let staged: { receipt?: string } | undefined;
  try {
    await book.add(lease);
    staged = await deps.retry(`stage ${ref}`, () => backend.stage(ref, value, id, deps.signal));
    await deps.retry(`promote ${ref}`, () => backend.promote(ref, id, deps.signal, staged!.receipt));
  } catch (e) {
    const undo = [
      source === 'minted' ? issuer?.retire(value, deps.signal) : undefined,
      staged !== undefined ? backend.discard(ref, id, deps.signal, staged.receipt) : undefined,
      book.remove(id),
    ];
    const left = (await Promise.allSettled(undo)).filter((r) => r.status === 'rejected').length;
    deps.log.warn({ lease: id, runner, fingerprint: value.fingerprint, undoFailures: left }, 'ci lease not issued: taken back');
    throw e;
  }
  if (drawn) await deps.retry('standby remove', () => backend.standby!.remove(drawn!.ref, drawn!.id, deps.signal));
  await deps.audit.append(leaseAudit('ci-issue', 'leased', lease, sp.layer, deps, started, { probe: probed.detail }));
  deps.log.info({ lease: id, runner, secret: name, ref, fingerprint: value.fingerprint, expiresAt: lease.expiresAt, source }, 'ci lease issued');
  // the runner's earlier lease of this secret: its value was just replaced at the ref; end it upstream
  const replaced: EndedLease[] = [];
  for (const old of leases.filter((l) => l.runner === runner && l.secret === name)) replaced.push(await endLease(policy, old, 'replaced', deps));
  return { lease, replaced };
}
