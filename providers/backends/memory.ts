import { BackendError } from '../../src/core/errors.js';
import type { SecretBackend, Stage, VersionInfo } from '../../src/core/ports.js';
import type { SecretValue } from '../../src/core/secret-value.js';

interface MemVersion {
  versionId: string;
  rotationId: string;
  stages: Stage[];
  value: SecretValue;
}

/** The backend fake: same contract as the real adapters, in memory. Tests reach `data`. */
export function createMemoryBackend(): SecretBackend & { data: Map<string, { next: number; versions: MemVersion[] }> } {
  const data = new Map<string, { next: number; versions: MemVersion[] }>();
  const get = (ref: string) => {
    let d = data.get(ref);
    if (!d) data.set(ref, (d = { next: 1, versions: [] }));
    return d;
  };
  const take = (ref: string, s: Stage) => get(ref).versions.forEach((v) => (v.stages = v.stages.filter((x) => x !== s)));
  const prune = (ref: string) => {
    const d = get(ref);
    d.versions = d.versions.filter((v) => v.stages.length > 0);
  };
  return {
    kind: 'memory',
    data,
    capabilities: () => ({ nativeStages: true, checkAndSet: false, scope: 'local' as const }),
    async read(ref, stage) {
      const v = get(ref).versions.find((x) => x.stages.includes(stage));
      return v ? { value: v.value, versionId: v.versionId, rotationId: v.rotationId } : null;
    },
    async stage(ref, value, rotationId) {
      const d = get(ref);
      const mine = d.versions.find((v) => v.rotationId === rotationId);
      if (mine) {
        if (!mine.value.equals(value)) throw new BackendError('STAGE_CONFLICT', `rotation ${rotationId} already staged a different value for ${ref}`);
        return { versionId: mine.versionId };
      }
      take(ref, 'pending');
      const versionId = String(d.next++);
      d.versions.push({ versionId, rotationId, stages: ['pending'], value });
      prune(ref);
      return { versionId };
    },
    async promote(ref, rotationId) {
      const v = get(ref).versions.find((x) => x.rotationId === rotationId);
      if (!v) throw new BackendError('NOT_STAGED', `rotation ${rotationId} has no version of ${ref} to promote`);
      if (v.stages.includes('current')) return;
      const cur = get(ref).versions.find((x) => x.stages.includes('current'));
      take(ref, 'previous');
      if (cur) cur.stages = cur.stages.filter((s) => s !== 'current').concat('previous');
      v.stages = v.stages.filter((s) => s !== 'pending').concat('current');
      prune(ref);
    },
    async discard(ref, rotationId) {
      const v = get(ref).versions.find((x) => x.rotationId === rotationId && x.stages.includes('pending'));
      if (v) v.stages = v.stages.filter((s) => s !== 'pending');
      prune(ref);
    },
    async versions(ref) {
      return get(ref).versions.map((v): VersionInfo => ({ versionId: v.versionId, stages: [...v.stages], rotationId: v.rotationId, fingerprint: v.value.fingerprint }));
    },
  };
}
