import type { SecretBackend, Stage, VersionInfo } from '../../src/core/ports.js';
import { BackendError } from '../../src/core/errors.js';
import type { SecretValue } from '../../src/core/secret-value.js';
import { addPending, discardIn, promoteIn, prune, stagedBy } from './stage-book.js';

interface MemVersion {
  versionId: string;
  rotationId: string;
  stages: Stage[];
  value: SecretValue;
  createdAt: string;
}

/** The backend fake: same contract as the real adapters, in memory. Tests reach `data`; `now` stamps versions (createdAt). */
export function createMemoryBackend(now: () => Date = () => new Date()): SecretBackend & { data: Map<string, { next: number; versions: MemVersion[] }>; pool: Map<string, Map<string, SecretValue>> } {
  const data = new Map<string, { next: number; versions: MemVersion[] }>();
  const pool = new Map<string, Map<string, SecretValue>>();
  const poolOf = (ref: string) => {
    let p = pool.get(ref);
    if (!p) pool.set(ref, (p = new Map()));
    return p;
  };
  const get = (ref: string) => {
    let d = data.get(ref);
    if (!d) data.set(ref, (d = { next: 1, versions: [] }));
    return d;
  };
  return {
    kind: 'memory',
    data,
    pool,
    standby: {
      async add(ref, id, value) {
        const there = poolOf(ref).get(id);
        if (there && !there.equals(value)) throw new BackendError('STANDBY_CONFLICT', `standby ${id} of ${ref} already holds a different value`);
        poolOf(ref).set(id, value);
      },
      async list(ref) {
        return [...poolOf(ref)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([id, v]) => ({ id, fingerprint: v.fingerprint }));
      },
      async read(ref, id) {
        return poolOf(ref).get(id) ?? null;
      },
      async remove(ref, id) {
        poolOf(ref).delete(id);
      },
    },
    capabilities: () => ({ nativeStages: true, checkAndSet: false, scope: 'local' as const }),
    async read(ref, stage) {
      const v = get(ref).versions.find((x) => x.stages.includes(stage));
      return v ? { value: v.value, versionId: v.versionId, rotationId: v.rotationId } : null;
    },
    async stage(ref, value, rotationId) {
      const d = get(ref);
      const mine = stagedBy(d.versions, rotationId, (v) => v.value.equals(value), ref);
      if (mine) return { versionId: mine.versionId };
      const versionId = String(d.next++);
      d.versions = addPending(d.versions, { versionId, rotationId, stages: ['pending'], value, createdAt: now().toISOString() });
      return { versionId };
    },
    async promote(ref, rotationId) {
      const d = get(ref);
      promoteIn(d.versions, rotationId, ref);
      d.versions = prune(d.versions);
    },
    async discard(ref, rotationId) {
      const d = get(ref);
      discardIn(d.versions, rotationId);
      d.versions = prune(d.versions);
    },
    async remove(ref) {
      data.delete(ref);
      pool.delete(ref);
    },
    async versions(ref) {
      return get(ref).versions.map((v): VersionInfo => ({ versionId: v.versionId, stages: [...v.stages], rotationId: v.rotationId, fingerprint: v.value.fingerprint, createdAt: v.createdAt }));
    },
  };
}
