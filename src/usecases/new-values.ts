/**
 * Where a rotation's new values come from, in order: a pending value put by an operator (or, with
 * `takeOverPending`, another rotation's), a Gateway token minted here, a key minted by the
 * secret's issuer (staged at once, never retried), the oldest key of the standby pool; each
 * checked live at the issuer and accepted by the provider before anything is written.
 */
import { BackendError, UnsafeError, UsageError } from '../core/errors.js';
import { SecretValue } from '../core/secret-value.js';
import type { Plan } from '../plan/planner.js';
import type { Policy } from '../policy/schema.js';
import type { RekeyDeps } from './context.js';
import type { RotateReport } from './rotate.js';
import { probeBeforeDelivery } from './probe-keys.js';
import { assertDeliverable } from './deliverable.js';
import { drawStandby, dropDead, type Drawn } from './standby.js';

/** the provider probe before delivery; a drawn standby the provider refuses leaves the pool */
export async function probeStandbyAware(plan: Plan, values: Map<string, SecretValue>, drawn: Drawn[], forReal: boolean, deps: RekeyDeps) {
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
export async function newValues(policy: Policy, plan: Plan, deps: RekeyDeps, takeOverPending: boolean, mintFor: string | null) {
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

