/**
 * The backend as a host of a fleet rollout sees it: it reads (pending, current) like any rotation,
 * but never moves a version. Stage, promote and discard are the coordinator's: here they do
 * nothing, so the rotation runner drives a host's delivery, restart, verification and rollback
 * unchanged, and its "promote" means "delivered and verified on this host". Its journal names the
 * rollout (begin.fleet), so `rekey resume` on this host wraps the backend the same way.
 */
import type { SecretBackend } from '../../core/ports.js';

export function fleetHostBackend(inner: SecretBackend, versions: Map<string, string> = new Map()): SecretBackend {
  return {
    kind: inner.kind,
    capabilities: () => inner.capabilities(),
    read: (ref, stage, signal) => inner.read(ref, stage, signal),
    versions: (ref, signal) => inner.versions(ref, signal),
    async stage(ref) {
      return { versionId: versions.get(ref) ?? 'staged by the coordinator', detail: 'staged by the fleet coordinator: nothing to write here' };
    },
    async promote() {
      /* the coordinator promotes once every host verified */
    },
    async discard() {
      /* the coordinator discards an aborted rollout's pending version */
    },
  };
}
