import { localBackendSpec } from './local.schema.js';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { BackendError } from '../../src/core/errors.js';
import type { SecretBackend, Stage, StandbyPool, VersionInfo } from '../../src/core/ports.js';
import { SecretValue } from '../../src/core/secret-value.js';
import { atomicWrite, readNoFollow } from '../../src/io/atomic-write.js';
import { assertStoreKey, holdsSealedData, keyId, restoreKeyHint } from '../../src/io/key-file.js';
import { open, seal, type Sealed } from '../../src/io/sealed-box.js';
import { addPending, discardIn, promoteIn, prune, stagedBy } from './stage-book.js';

interface StoredVersion {
  versionId: string;
  rotationId: string;
  stages: Stage[];
  createdAt: string;
  fingerprint: string;
  sealed: Sealed;
}

interface StoredSecret {
  ref: string;
  /** the check value of the key that sealed it (absent in stores of rekey before key ids) */
  keyId?: string;
  nextVersion: number;
  versions: StoredVersion[];
  /** the standby pool: sealed like versions (AAD = ref + `standby:` + id), oldest first */
  standby?: { id: string; fingerprint: string; sealed: Sealed }[];
}

export interface LocalBackendDeps {
  /** store directory (0700) */
  dir: string;
  key: () => Promise<Buffer>;
  now: () => Date;
  /** named in the hints when the key is missing or different */
  keyFile?: string;
}

/**
 * The embedded default backend: one JSON document per ref under `<dir>/secrets/`, each version's
 * value sealed with AES-256-GCM (AAD = ref + version id), written atomically (0600). Stages
 * current / pending / previous; versions without a stage are dropped, so the store never keeps
 * more old secrets than rollback needs. Coordinates this host only (the rotation lock).
 */
export function createLocalBackend(deps: LocalBackendDeps): SecretBackend {
  const file = (ref: string) => join(deps.dir, 'secrets', `${createHash('sha256').update(ref).digest('hex').slice(0, 40)}.json`);
  const aad = (ref: string, v: string) => `local:${ref}:${v}`;

  const keyFile = deps.keyFile ?? join(deps.dir, '..', 'key');
  /** the key, checked against the store once: a missing or different key never reads or seals here */
  let checked: Promise<Buffer> | undefined;
  const key = (bind: boolean) =>
    (checked ??= (async () => {
      let k: Buffer;
      try {
        k = await deps.key();
      } catch (e) {
        if ((e as { code?: string }).code === 'NO_KEY' && (await holdsSealedData([deps.dir]))) {
          throw new BackendError('STORE_KEY_MISSING', `the key that sealed the store ${deps.dir} is missing (${keyFile})`, { hint: restoreKeyHint(keyFile) });
        }
        throw e;
      }
      await assertStoreKey(deps.dir, k, keyFile, { bind });
      return k;
    })().catch((e: unknown) => {
      checked = undefined;
      throw e;
    }));
  const load = async (ref: string): Promise<StoredSecret> => {
    const raw = await readNoFollow(file(ref));
    if (raw === null) return { ref, nextVersion: 1, versions: [] };
    let doc: StoredSecret;
    try {
      doc = JSON.parse(raw.toString('utf8')) as StoredSecret;
    } catch {
      throw new BackendError('STORE_CORRUPT', `the store file of ${ref} (${file(ref)}) is not valid JSON (truncated or edited)`, { hint: 'restore it from a backup; `rekey status` names the secrets it can still read' });
    }
    if (!doc || typeof doc !== 'object' || doc.ref !== ref || !Array.isArray(doc.versions) || typeof doc.nextVersion !== 'number' || (doc.standby !== undefined && !Array.isArray(doc.standby))) {
      throw new BackendError('STORE_CORRUPT', `the store file of ${ref} (${file(ref)}) does not have the store's shape`, { hint: 'restore it from a backup' });
    }
    const k = await key(false);
    if (doc.keyId !== undefined && doc.keyId !== keyId(k)) {
      throw new BackendError('STORE_KEY_MISMATCH', `the store file of ${ref} was sealed with key ${doc.keyId}, not the key in use (${keyId(k)})`, { hint: restoreKeyHint(keyFile, doc.keyId) });
    }
    return doc;
  };
  const save = async (doc: StoredSecret) => {
    doc.versions = prune(doc.versions);
    doc.keyId = keyId(await key(true));
    await fs.mkdir(join(deps.dir, 'secrets'), { recursive: true, mode: 0o700 });
    await assertStoreKey(deps.dir, await key(true), keyFile, { bind: true });
    await atomicWrite(file(doc.ref), JSON.stringify(doc, null, 1) + '\n');
  };

  const standby: StandbyPool = {
    async add(ref, id, value) {
      const doc = await load(ref);
      const pool = (doc.standby ??= []);
      const there = pool.find((e) => e.id === id);
      if (there) {
        if (there.fingerprint !== value.fingerprint) throw new BackendError('STANDBY_CONFLICT', `standby ${id} of ${ref} already holds a different value`);
        return;
      }
      pool.push({ id, fingerprint: value.fingerprint, sealed: seal(await key(true), value.reveal(), aad(ref, `standby:${id}`)) });
      pool.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      await save(doc);
    },
    async list(ref) {
      return ((await load(ref)).standby ?? []).map((e) => ({ id: e.id, fingerprint: e.fingerprint }));
    },
    async read(ref, id) {
      const e = (await load(ref)).standby?.find((x) => x.id === id);
      return e ? SecretValue.of(open(await key(false), e.sealed, aad(ref, `standby:${id}`))) : null;
    },
    async remove(ref, id) {
      const doc = await load(ref);
      const left = (doc.standby ?? []).filter((e) => e.id !== id);
      if (left.length === (doc.standby ?? []).length) return;
      doc.standby = left;
      await save(doc);
    },
  };

  return {
    kind: 'local',
    standby,
    capabilities: () => localBackendSpec.capabilities,

    async read(ref, stage) {
      const doc = await load(ref);
      const v = doc.versions.find((x) => x.stages.includes(stage));
      if (!v) return null;
      return { value: SecretValue.of(open(await key(false), v.sealed, aad(ref, v.versionId))), versionId: v.versionId, rotationId: v.rotationId };
    },

    async stage(ref, value, rotationId) {
      const doc = await load(ref);
      const mine = stagedBy(doc.versions, rotationId, (v) => v.fingerprint === value.fingerprint, ref);
      if (mine) return { versionId: mine.versionId };
      const versionId = String(doc.nextVersion++);
      const sealed = seal(await key(true), value.reveal(), aad(ref, versionId));
      doc.versions = addPending(doc.versions, { versionId, rotationId, stages: ['pending'], createdAt: deps.now().toISOString(), fingerprint: value.fingerprint, sealed });
      await save(doc);
      return { versionId };
    },

    async promote(ref, rotationId) {
      const doc = await load(ref);
      if (promoteIn(doc.versions, rotationId, ref)) await save(doc);
    },

    async discard(ref, rotationId) {
      const doc = await load(ref);
      if (discardIn(doc.versions, rotationId)) await save(doc);
    },

    async remove(ref) {
      await fs.rm(file(ref), { force: true });
    },

    async versions(ref) {
      const doc = await load(ref);
      return doc.versions.map(
        (v): VersionInfo => ({ versionId: v.versionId, stages: v.stages, rotationId: v.rotationId, fingerprint: v.fingerprint, createdAt: v.createdAt }),
      );
    },
  } satisfies SecretBackend;
}
