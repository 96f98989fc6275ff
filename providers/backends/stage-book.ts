/**
 * The stage bookkeeping shared by backends that keep their own versions (local, and the memory
 * fake): current / pending / previous over a list of versions, idempotent on the rotation id.
 * Pure: the caller loads the versions, applies one of these, and saves.
 */
import { BackendError } from '../../src/core/errors.js';
import type { Stage } from '../../src/core/ports.js';

export interface BookVersion {
  versionId: string;
  rotationId: string;
  stages: Stage[];
}

const take = (versions: BookVersion[], stage: Stage) => {
  for (const v of versions) v.stages = v.stages.filter((s) => s !== stage);
};

/** versions with no stage are dropped: the store keeps no more old secrets than rollback needs */
export function prune<V extends BookVersion>(versions: V[]): V[] {
  return versions.filter((v) => v.stages.length > 0);
}

/** the version this rotation already staged (idempotent stage), or null */
export function stagedBy<V extends BookVersion>(versions: V[], rotationId: string, sameValue: (v: V) => boolean, ref: string): V | null {
  const mine = versions.find((v) => v.rotationId === rotationId);
  if (!mine) return null;
  if (!sameValue(mine)) throw new BackendError('STAGE_CONFLICT', `rotation ${rotationId} already staged a different value for ${ref}`);
  return mine;
}

/** add a new pending version (the old pending, if any, loses its stage) */
export function addPending<V extends BookVersion>(versions: V[], v: V): V[] {
  take(versions, 'pending');
  return prune([...versions, v]);
}

/** pending(rotationId) → current, old current → previous; false if it already was current */
export function promoteIn(versions: BookVersion[], rotationId: string, ref: string): boolean {
  const v = versions.find((x) => x.rotationId === rotationId);
  if (!v) throw new BackendError('NOT_STAGED', `rotation ${rotationId} has no version of ${ref} to promote`);
  if (v.stages.includes('current')) return false;
  const cur = versions.find((x) => x.stages.includes('current'));
  take(versions, 'previous');
  if (cur) cur.stages = cur.stages.filter((s) => s !== 'current').concat('previous');
  v.stages = v.stages.filter((s) => s !== 'pending').concat('current');
  return true;
}

/** drop the pending stage of rotationId's version; false if there was none */
export function discardIn(versions: BookVersion[], rotationId: string): boolean {
  const v = versions.find((x) => x.rotationId === rotationId && x.stages.includes('pending'));
  if (!v) return false;
  v.stages = v.stages.filter((s) => s !== 'pending');
  return true;
}
