import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { Snapshot } from '../core/ports.js';
import { SecretValue } from '../core/secret-value.js';
import type { SnapshotStore } from '../core/ports.js';
import { atomicWrite, readNoFollow } from './atomic-write.js';
import { open, seal, type Sealed } from './sealed-box.js';

/**
 * Sink snapshots hold old secrets, so they live encrypted (AES-256-GCM, the local key) in
 * `<stateDir>/snapshots/<rotationId>/`, never in the journal; dropped when the rotation ends.
 */
export function createFileSnapshotStore(dir: string, key: () => Promise<Buffer>): SnapshotStore {
  const name = (targetId: string) => createHash('sha256').update(targetId).digest('hex').slice(0, 32) + '.snap';
  return {
    async save(rotationId, snap) {
      const d = join(dir, rotationId);
      await fs.mkdir(d, { recursive: true, mode: 0o700 });
      const aad = `snapshot:${rotationId}:${snap.targetId}`;
      const body = { sinkKind: snap.sinkKind, targetId: snap.targetId, sealed: seal(await key(), snap.data.reveal(), aad) };
      await atomicWrite(join(d, name(snap.targetId)), JSON.stringify(body));
    },
    async load(rotationId, targetId) {
      const raw = await readNoFollow(join(dir, rotationId, name(targetId)));
      if (raw === null) return null;
      const body = JSON.parse(raw.toString('utf8')) as { sinkKind: string; targetId: string; sealed: Sealed };
      const data = open(await key(), body.sealed, `snapshot:${rotationId}:${targetId}`);
      return { sinkKind: body.sinkKind, targetId: body.targetId, data: SecretValue.of(data) } satisfies Snapshot;
    },
    async drop(rotationId) {
      await fs.rm(join(dir, rotationId), { recursive: true, force: true });
    },
  };
}
