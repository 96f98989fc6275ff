/**
 * The standby pool (providers that cannot mint): keys an admin minted ahead of need wait in the
 * backend beside the secret, out of every stage. A rotation with no pending value and no minting
 * issuer draws the oldest; once promoted it leaves the pool. A drawn key the provider refuses (or
 * the issuer reports inactive) is dropped from the pool, so the next run draws the next one.
 */
import { UsageError } from '../core/errors.js';
import type { SecretBackend, StandbyEntry } from '../core/ports.js';
import type { SecretValue } from '../core/secret-value.js';
import { sortableId, type RekeyDeps } from './context.js';

export interface Drawn {
  ref: string;
  id: string;
  fingerprint: string;
  /** entries left after this one */
  left: number;
}

/** `<yyyymmddThhmmssZ>-<6 hex>`: sorts by the time it was added */
export function newStandbyId(deps: Pick<RekeyDeps, 'clock' | 'random'>): string {
  return sortableId(deps, 3);
}

export function poolOf(backend: SecretBackend) {
  if (!backend.standby) throw new UsageError('NO_STANDBY_POOL', `the ${backend.kind} backend keeps no standby pool`);
  return backend.standby;
}

/** the entries of `ref`'s pool; none when the backend keeps no pool */
export async function standbyEntries(backend: SecretBackend, ref: string, deps: Pick<RekeyDeps, 'retry' | 'signal'>): Promise<StandbyEntry[]> {
  if (!backend.standby) return [];
  return deps.retry(`standby list ${ref}`, () => backend.standby!.list(ref, deps.signal));
}

/**
 * The oldest usable entry of `ref`'s pool and its value. Entries holding a value that is already
 * current or pending (a run killed between its promote and the pool's clean-up) leave the pool here.
 */
export async function drawStandby(backend: SecretBackend, ref: string, inUse: (SecretValue | null | undefined)[], deps: Pick<RekeyDeps, 'retry' | 'signal' | 'log'>): Promise<{ drawn: Drawn; value: SecretValue } | null> {
  if (!backend.standby) return null;
  const pool = backend.standby;
  const entries = await standbyEntries(backend, ref, deps);
  const used = new Set(inUse.filter((v): v is SecretValue => !!v).map((v) => v.fingerprint));
  for (const [i, e] of entries.entries()) {
    if (used.has(e.fingerprint)) {
      await deps.retry(`standby remove ${ref}`, () => pool.remove(ref, e.id, deps.signal));
      deps.log.info({ ref, standby: e.id, fingerprint: e.fingerprint }, 'standby entry already delivered: removed from the pool');
      continue;
    }
    const value = await deps.retry(`standby read ${ref}`, () => pool.read(ref, e.id, deps.signal));
    if (!value) continue;
    return { drawn: { ref, id: e.id, fingerprint: value.fingerprint, left: entries.length - i - 1 }, value };
  }
  return null;
}

/** after a promote: the drawn entries leave the pool */
export async function settleDrawn(backend: SecretBackend, drawn: Pick<Drawn, 'ref' | 'id'>[], deps: Pick<RekeyDeps, 'retry' | 'signal' | 'log'>): Promise<void> {
  for (const d of drawn) {
    await deps.retry(`standby remove ${d.ref}`, () => poolOf(backend).remove(d.ref, d.id, deps.signal)).catch((e: unknown) => {
      // promoted already: a pool entry left behind is removed by the next draw (its value is current)
      deps.log.warn({ ref: d.ref, standby: d.id, err: (e as Error).message }, 'could not remove the drawn standby from the pool; the next draw removes it');
    });
  }
}

/**
 * A drawn key the provider refuses or the issuer reports inactive is dead: it leaves the pool (not
 * in a dry run), so the next run draws the next one. Returns the sentence the error ends with.
 */
export async function dropDead(backend: SecretBackend, d: Drawn, forReal: boolean, deps: Pick<RekeyDeps, 'retry' | 'signal' | 'log'>): Promise<string> {
  if (!forReal) return `; it is standby ${d.id} of the pool (a real run drops it from the pool)`;
  await deps.retry(`standby remove ${d.ref}`, () => poolOf(backend).remove(d.ref, d.id, deps.signal));
  deps.log.warn({ ref: d.ref, standby: d.id, fingerprint: d.fingerprint }, 'dropped a dead key from the standby pool');
  return `; standby ${d.id} was dropped from the pool (${d.left} left${d.left ? ': run again to draw the next' : ''})`;
}
