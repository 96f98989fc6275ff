import { promises as fs } from 'node:fs';
import { InternalError, UsageError } from '../../src/core/errors.js';
import type { Exec, Sink, Snapshot } from '../../src/core/ports.js';
import { SecretValue } from '../../src/core/secret-value.js';
import type { Target } from '../../src/core/target.js';
import { assertSafeTarget, atomicWrite, readNoFollow } from '../../src/io/atomic-write.js';
import { getPointer, setPointer } from '../../src/io/json-pointer.js';
import { secretsReload } from '../openclaw/cli.js';
import type { OpenclawSecretrefFileSinkConfig } from './openclaw-secretref-file.schema.js';
import { primaryGid, resolveOwner } from './owner.js';

const config = (t: Target): OpenclawSecretrefFileSinkConfig => {
  if (t.sink.kind !== 'openclaw-secretref-file') throw new InternalError(`target ${t.id} is not a secretref-file target`);
  return t.sink;
};

/**
 * OpenClaw's own door for provider keys: the key sits at a JSON pointer in a 0600 file that an
 * OpenClaw file secrets provider reads; after the atomic write, `openclaw secrets reload --json`
 * switches the running Gateway to it without a restart. Success only if the reload answers
 * ok: true with warningCount 0. Restore writes the old bytes back and reloads again.
 */
export function createOpenclawSecretrefFileSink(deps: { exec: Exec; baseEnv: Record<string, string> }): Sink {
  const owner = (t: Target) => resolveOwner(config(t).owner);
  const load = async (t: Target): Promise<{ bytes: Buffer | null; doc: Record<string, unknown> }> => {
    const bytes = await readNoFollow(config(t).path);
    if (bytes === null || bytes.length === 0) return { bytes, doc: {} };
    try {
      const doc = JSON.parse(bytes.toString('utf8')) as unknown;
      if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('not an object');
      return { bytes, doc: doc as Record<string, unknown> };
    } catch {
      throw new UsageError('SECRETS_FILE_NOT_JSON', `${config(t).path} is not a JSON object: refusing to rewrite it`, { hint: 'a file secrets provider with mode: json reads a JSON object' });
    }
  };
  const write = async (t: Target, bytes: Buffer) => {
    const uid = owner(t);
    await atomicWrite(config(t).path, bytes, { uid, gid: primaryGid(uid), mode: 0o600 });
  };
  const reload = (t: Target, signal: AbortSignal) => secretsReload(deps.exec, config(t), deps.baseEnv, t.id, signal);

  return {
    kind: 'openclaw-secretref-file',
    async check(t) {
      await assertSafeTarget(config(t).path, owner(t));
      await load(t);
    },
    async snapshot(t) {
      await assertSafeTarget(config(t).path, owner(t));
      const { bytes } = await load(t);
      const body = bytes === null ? { exists: false } : { exists: true, bytes: bytes.toString('base64') };
      return { sinkKind: 'openclaw-secretref-file', targetId: t.id, data: SecretValue.of(JSON.stringify(body)) } satisfies Snapshot;
    },
    async write(t, value, signal) {
      await assertSafeTarget(config(t).path, owner(t));
      const { bytes, doc } = await load(t);
      if (getPointer(doc, config(t).pointer) === value.reveal() && bytes !== null) return { changed: false };
      await write(t, Buffer.from(JSON.stringify(setPointer(doc, config(t).pointer, value.reveal()), null, 2) + '\n', 'utf8'));
      await reload(t, signal);
      return { changed: true };
    },
    async restore(t, snap, signal) {
      await assertSafeTarget(config(t).path, owner(t));
      const body = JSON.parse(snap.data.reveal()) as { exists: boolean; bytes?: string };
      const now = await readNoFollow(config(t).path);
      if (!body.exists) {
        if (now === null) return { changed: false };
        await fs.rm(config(t).path, { force: true });
      } else {
        const old = Buffer.from(body.bytes ?? '', 'base64');
        if (now !== null && now.equals(old)) return { changed: false };
        await write(t, old);
      }
      await reload(t, signal);
      return { changed: true };
    },
    async read(t) {
      const { doc } = await load(t);
      const v = getPointer(doc, config(t).pointer);
      return typeof v === 'string' ? SecretValue.of(v) : null;
    },
  };
}
