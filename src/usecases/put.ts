import { UnsafeError, UsageError } from '../core/errors.js';
import type { Plan } from '../plan/planner.js';
import { newStandbyId, poolOf, standbyEntries } from './standby.js';
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
  /** with --standby: the pool entry's id and each ref's pool depth after it */
  standby?: { id: string; depth: Record<string, number> };
}

/**
 * Store a value (e.g. a key an admin minted in the provider's console) as the pending version of
 * every backend ref the filter selects; the next `rotate` delivers, verifies and promotes it.
 */
export async function put(policy: Policy, secret: string, filter: PlanFilter, value: SecretValue, deps: RekeyDeps, opts: { standby?: boolean } = {}): Promise<PutReport> {
  const started = deps.clock.now().getTime();
  const plan = planRotation(policy, secret, filter, deps.planContext);
  if (opts.standby && plan.layer === 'gateway-token') {
    throw new UsageError('STANDBY_NOT_FOR_TOKENS', `"${secret}" is a Gateway token: rekey mints a new one at every rotation, a standby pool is for provider keys`);
  }
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
    if (opts.standby) return await addStandby(plan, refs, value, putId, deps, started);
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

/**
 * `put --standby`: the value joins the standby pool of every ref (not pending: nothing changes for
 * consumers or the next rotation's pending value). A value already current, pending or in the pool
 * is refused: the pool must hold distinct keys.
 */
async function addStandby(plan: Plan, refs: string[], value: SecretValue, putId: string, deps: RekeyDeps, started: number): Promise<PutReport> {
  const backend = deps.backend(plan.backend);
  const pool = poolOf(backend);
  await refusedIsAudited(
    async () => {
      for (const ref of refs) {
        const [cur, pending, entries] = await Promise.all([
          deps.retry(`read current ${ref}`, () => backend.read(ref, 'current', deps.signal)),
          deps.retry(`read pending ${ref}`, () => backend.read(ref, 'pending', deps.signal)),
          standbyEntries(backend, ref, deps),
        ]);
        const where = cur?.value.equals(value) ? 'current' : pending?.value.equals(value) ? 'pending' : entries.find((e) => e.fingerprint === value.fingerprint) ? 'already in the standby pool' : null;
        if (where) throw new UsageError('STANDBY_DUPLICATE', `${value.fingerprint} is ${where} for ${ref}: a standby must be a key no consumer holds yet`, { details: { ref } });
      }
    },
    'put',
    putId,
    plan,
    deps,
    started,
  );
  const id = newStandbyId(deps);
  const depth: Record<string, number> = {};
  for (const ref of refs) {
    await deps.retry(`standby add ${ref}`, () => pool.add(ref, id, value, deps.signal));
    depth[ref] = (await standbyEntries(backend, ref, deps)).length;
  }
  await deps.audit.append(
    runRecord('put', putId, plan, deps, started, {
      outcome: 'stored',
      exitCode: 0,
      newFingerprints: {},
      targets: [],
      standby: refs.map((ref) => ({ ref, id, fingerprint: value.fingerprint, event: 'added' as const })),
    }),
  );
  return { secret: plan.secret, putId, refs, fingerprint: value.fingerprint, standby: { id, depth } };
}
