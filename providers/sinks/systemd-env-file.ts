import { promises as fs } from 'node:fs';
import { InternalError } from '../../src/core/errors.js';
import type { Sink, Snapshot } from '../../src/core/ports.js';
import { SecretValue } from '../../src/core/secret-value.js';
import type { Target } from '../../src/core/target.js';
import { assertSafeTarget, atomicWrite, readNoFollow } from '../../src/io/atomic-write.js';
import { encodeAssignment, parseEnvBytes, providerAlternates, updateEnvBytes } from '../../src/io/env-file.js';
import type { SystemdEnvFileSinkConfig } from './systemd-env-file.schema.js';
import { primaryGid, resolveOwner } from './owner.js';

interface EnvFileSnapshot {
  exists: boolean;
  /** base64 of the exact bytes */
  bytes?: string;
  mode?: number;
}

const config = (t: Target): SystemdEnvFileSinkConfig => {
  if (t.sink.kind !== 'systemd-env-file') throw new InternalError(`target ${t.id} is not an env-file target`);
  return t.sink;
};

/**
 * The Gateway unit's EnvironmentFile= (or ~/.openclaw/.env). Edits only the variable it owns
 * (and, for provider keys, removes stale alternates OpenClaw would also use); every other byte
 * stays. Writes go through the one atomic-write routine: 0600, owner = the service's user,
 * never through a symlink, never into a directory others can write.
 */
export function createSystemdEnvFileSink(): Sink {
  const owner = (t: Target) => resolveOwner(config(t).owner);
  const removes = (t: Target) => (config(t).removeAlternates && t.layer === 'provider-key' ? providerAlternates(t.envVar, t.provider) : () => false);
  const write = async (t: Target, bytes: Buffer, mode = 0o600) => {
    const uid = owner(t);
    await atomicWrite(config(t).path, bytes, { uid, gid: primaryGid(uid), mode });
  };

  return {
    kind: 'systemd-env-file',

    accepts(t, value) {
      encodeAssignment(t.envVar, value);
    },

    async check(t) {
      await assertSafeTarget(config(t).path, owner(t));
      // refuse a file rekey cannot edit exactly as systemd reads it, before anything is written
      const bytes = await readNoFollow(config(t).path);
      if (bytes !== null) updateEnvBytes(bytes, t.envVar, SecretValue.of('rekey-preflight-placeholder'), removes(t), config(t).path);
    },

    async snapshot(t) {
      await assertSafeTarget(config(t).path, owner(t));
      const path = config(t).path;
      const bytes = await readNoFollow(path);
      const body: EnvFileSnapshot = bytes === null ? { exists: false } : { exists: true, bytes: bytes.toString('base64'), mode: (await fs.stat(path)).mode & 0o777 };
      return { sinkKind: 'systemd-env-file', targetId: t.id, data: SecretValue.of(JSON.stringify(body)) } satisfies Snapshot;
    },

    async write(t, value) {
      await assertSafeTarget(config(t).path, owner(t));
      const path = config(t).path;
      const before = (await readNoFollow(path)) ?? Buffer.alloc(0);
      const after = updateEnvBytes(before, t.envVar, value, removes(t), path);
      const mode = before.length > 0 ? (await fs.stat(path)).mode & 0o777 : 0o600;
      if (after.equals(before) && mode === 0o600) return { changed: false };
      await write(t, after);
      return { changed: !after.equals(before) };
    },

    async restore(t, snap) {
      await assertSafeTarget(config(t).path, owner(t));
      const path = config(t).path;
      const body = JSON.parse(snap.data.reveal()) as EnvFileSnapshot;
      const now = await readNoFollow(path);
      if (!body.exists) {
        if (now === null) return { changed: false };
        await fs.rm(path, { force: true });
        return { changed: true };
      }
      const bytes = Buffer.from(body.bytes ?? '', 'base64');
      if (now !== null && now.equals(bytes)) return { changed: false };
      // the old bytes, never with a mode wider than 0600
      await write(t, bytes, (body.mode ?? 0o600) & 0o600);
      return { changed: true };
    },

    async read(t) {
      const bytes = await readNoFollow(config(t).path);
      if (bytes === null) return null;
      const v = parseEnvBytes(bytes).get(t.envVar);
      return v === undefined ? null : SecretValue.of(v);
    },
  } satisfies Sink;
}
