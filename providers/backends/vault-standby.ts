import { BackendError } from '../../src/core/errors.js';
import type { StandbyEntry, StandbyPool } from '../../src/core/ports.js';
import { SecretValue } from '../../src/core/secret-value.js';

interface Io {
  /** GET that answers null on 404 */
  get(path: string, signal: AbortSignal): Promise<any | null>;
  write(path: string, body: unknown, signal: AbortSignal): Promise<unknown>;
}

/**
 * The standby pool in Vault KV v2: one document per ref at <mount>/data/<standbyPrefix>/<ref>, its
 * data a map entry id → value. Every change is a check-and-set write on the version read (two hosts
 * adding or drawing at once: one conflict, re-read, re-applied), so the pool needs no coordinator
 * but Vault. KV v2 keeps earlier pool documents as versions, as on any path (max_versions applies).
 */
export function vaultStandby(mount: string, prefix: string, io: Io): StandbyPool {
  const dataPath = (ref: string) => `${mount}/data/${prefix}/${ref}`;
  const metaPath = (ref: string) => `${mount}/metadata/${prefix}/${ref}`;
  const load = async (ref: string, signal: AbortSignal): Promise<{ version: number; pool: Record<string, string> }> => {
    const m = await io.get(metaPath(ref), signal);
    const version = m?.data?.current_version;
    if (m === null || version === 0) return { version: 0, pool: {} };
    if (typeof version !== 'number') throw new BackendError('VAULT_UNEXPECTED_ANSWER', `Vault read ${metaPath(ref)}: the answer is not KV v2 metadata`, { details: { path: metaPath(ref) } });
    const doc = await io.get(`${dataPath(ref)}?version=${version}`, signal);
    // the latest version deleted (not destroyed): an empty pool, written over with cas
    const pool = (doc?.data?.data ?? {}) as Record<string, unknown>;
    for (const v of Object.values(pool)) {
      if (typeof v !== 'string') throw new BackendError('VAULT_UNEXPECTED_ANSWER', `Vault read ${dataPath(ref)}: a standby entry is not a string`, { details: { path: dataPath(ref) } });
    }
    return { version, pool: pool as Record<string, string> };
  };
  /** read, change, write with cas = the version read; a conflict (another writer) re-reads, 5 times at most */
  const change = async (ref: string, signal: AbortSignal, edit: (pool: Record<string, string>) => boolean) => {
    for (let attempt = 1; ; attempt++) {
      const { version, pool } = await load(ref, signal);
      if (!edit(pool)) return;
      try {
        await io.write(dataPath(ref), { data: pool, options: { cas: version } }, signal);
        return;
      } catch (e) {
        if (!(e instanceof BackendError && e.code === 'CAS_CONFLICT') || attempt >= 5) throw e;
      }
    }
  };
  return {
    async add(ref, id, value, signal) {
      await change(ref, signal, (pool) => {
        const there = pool[id];
        if (there !== undefined) {
          if (there !== value.reveal()) throw new BackendError('STANDBY_CONFLICT', `standby ${id} of ${ref} already holds a different value`);
          return false;
        }
        pool[id] = value.reveal();
        return true;
      });
    },
    async list(ref, signal) {
      const { pool } = await load(ref, signal);
      return Object.keys(pool)
        .sort()
        .map((id): StandbyEntry => ({ id, fingerprint: SecretValue.of(pool[id]!).fingerprint }));
    },
    async read(ref, id, signal) {
      const v = (await load(ref, signal)).pool[id];
      return v === undefined ? null : SecretValue.of(v);
    },
    async remove(ref, id, signal) {
      await change(ref, signal, (pool) => {
        if (!(id in pool)) return false;
        delete pool[id];
        return true;
      });
    },
  };
}
