import { UnsafeError } from '../core/errors.js';
import type { SecretValue } from '../core/secret-value.js';
import { planRotation, type PlanFilter } from '../plan/planner.js';
import type { Policy } from '../policy/schema.js';
import { newRotationId, type RekeyDeps } from './context.js';
import { assertDeliverable } from './deliverable.js';
import { refusedIsAudited, runRecord } from './run-audit.js';
import { isPutVersion } from './rotate.js';

export interface PutReport {
  secret: string;
  putId: string;
  refs: string[];
  fingerprint: string;
}

/**
 * Store a value (e.g. a key an admin minted in the provider's console) as the pending version of
 * every backend ref the filter selects; the next `rotate` delivers, verifies and promotes it.
 */
export async function put(policy: Policy, secret: string, filter: PlanFilter, value: SecretValue, deps: RekeyDeps): Promise<PutReport> {
  const started = deps.clock.now().getTime();
  const plan = planRotation(policy, secret, filter, deps.planContext);
  const refs = [...new Set([...plan.targets, ...plan.elsewhere].map((t) => t.ref))];
  const putId = `put-${newRotationId(deps)}`;
  await deps.audit.ready?.();
  const lock = await refusedIsAudited(
    async () => {
      // a value some delivery of this secret cannot hold is refused now, not at rotate
      assertDeliverable([...plan.targets, ...plan.elsewhere], value, deps);
      return deps.locks.acquire(secret, { rotationId: putId, command: 'put' });
    },
    'put',
    putId,
    plan,
    deps,
    started,
  );
  try {
    await refusedIsAudited(
      async () => {
        if ((await deps.journal.unfinished()).some((u) => u.secret === secret)) {
          throw new UnsafeError('ROTATION_UNFINISHED', `a rotation of "${secret}" did not finish: putting a new pending value now would change what it rolls back`, { hint: 'run `rekey resume` first' });
        }
      },
      'put',
      putId,
      plan,
      deps,
      started,
    );
    const backend = deps.backend(plan.backend);
    await refusedIsAudited(
      async () => {
        for (const ref of refs) {
          await deps.retry(`check ${ref}`, async () => backend.checkWritable?.(ref, deps.signal));
          // a pending version another rotation staged (another host's rekey, an AWS Lambda between
          // createSecret and finishSecret) is theirs: taking it would break that rotation
          const pending = await deps.retry(`read pending ${ref}`, () => backend.read(ref, 'pending', deps.signal));
          if (pending && !isPutVersion(pending.rotationId)) {
            throw new UnsafeError('PENDING_HELD', `${ref} has a pending version ${pending.versionId} (${pending.value.fingerprint}) staged by another rotation (${pending.rotationId ?? 'unknown'}): put would take it over`, {
              details: { ref, versionId: pending.versionId },
              hint: 'wait for that rotation to finish; if it is dead, `rekey rotate --take-over-pending` adopts and verifies its value',
            });
          }
        }
      },
      'put',
      putId,
      plan,
      deps,
      started,
    );
    for (const ref of refs) await deps.retry(`stage ${ref}`, () => backend.stage(ref, value, putId, deps.signal));
    await deps.audit.append(
      runRecord('put', putId, plan, deps, started, { outcome: 'stored', exitCode: 0, newFingerprints: Object.fromEntries(refs.map((r) => [r, value.fingerprint])), targets: [] }),
    );
    return { secret, putId, refs, fingerprint: value.fingerprint };
  } finally {
    await lock.release();
  }
}
