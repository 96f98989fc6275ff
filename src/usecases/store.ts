/**
 * `rekey store`: a credential rekey uses itself (an issuer's admin key, a webhook's HMAC key)
 * written as the current version of a backend ref, without consumers or verification. Refused
 * for a ref a policy secret delivers (that goes through put and rotate). Audited (fingerprints).
 */
import { UsageError } from '../core/errors.js';
import type { SecretValue } from '../core/secret-value.js';
import { resolveTargets } from '../plan/planner.js';
import type { Policy } from '../policy/schema.js';
import { newRotationId, type RekeyDeps } from './context.js';

export async function storeOwnSecret(policy: Policy, backendName: string, ref: string, value: SecretValue, deps: RekeyDeps): Promise<{ backend: string; ref: string; fingerprint: string; previous: string | null }> {
  if (!(backendName in policy.backends)) throw new UsageError('UNKNOWN_BACKEND', `no backend "${backendName}" in the policy`, { hint: `backends: ${Object.keys(policy.backends).join(', ')}` });
  for (const name of Object.keys(policy.secrets)) {
    if (policy.secrets[name]!.backend === backendName && resolveTargets(policy, name, deps.planContext).some((t) => t.ref === ref)) {
      throw new UsageError('REF_IS_DELIVERED', `${ref} holds secret "${name}", which rekey delivers: store it with put and rotate`, { hint: `printf %s "$VALUE" | rekey put ${name} --env E --stdin` });
    }
  }
  const started = deps.clock.now().getTime();
  await deps.audit.ready?.();
  const id = `store-${newRotationId(deps)}`;
  const backend = deps.backend(backendName);
  const prev = await deps.retry(`read current ${ref}`, () => backend.read(ref, 'current', deps.signal));
  if (!prev || !prev.value.equals(value)) {
    await deps.retry(`stage ${ref}`, () => backend.stage(ref, value, id, deps.signal));
    await deps.retry(`promote ${ref}`, () => backend.promote(ref, id, deps.signal));
  }
  await deps.audit.append({
    v: 1,
    at: deps.clock.now().toISOString(),
    rotationId: id,
    command: 'store',
    actor: deps.actor,
    secret: `${backendName}:${ref}`,
    layer: 'rekey-own',
    outcome: 'stored',
    exitCode: 0,
    oldFingerprints: { [ref]: prev?.value.fingerprint ?? null },
    newFingerprints: { [ref]: value.fingerprint },
    blastRadius: { agents: [], environments: [], hosts: [], units: [], files: [], keychainItems: [], authProfiles: [], backendRefs: [ref] },
    rollbackPoint: { [ref]: prev?.value.fingerprint ?? null },
    targets: [],
    durationMs: deps.clock.now().getTime() - started,
  });
  return { backend: backendName, ref, fingerprint: value.fingerprint, previous: prev?.value.fingerprint ?? null };
}
