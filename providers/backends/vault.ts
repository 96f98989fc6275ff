import { BackendError, UnsafeError } from '../../src/core/errors.js';
import type { SecretBackend, SecretRead, Stage, VersionInfo } from '../../src/core/ports.js';
import { SecretValue } from '../../src/core/secret-value.js';
import type { VaultBackendConfig } from './vault.schema.js';

/** The slice of node-vault's client rekey uses. */
export interface VaultClientLike {
  token: string;
  read(path: string, requestOptions?: object): Promise<any>;
  write(path: string, data: unknown, requestOptions?: object): Promise<any>;
  delete(path: string, requestOptions?: object): Promise<any>;
  mounts(requestOptions?: object): Promise<any>;
}

interface PendingDoc {
  value: string;
  rotation_id: string;
  base_version: number;
  fingerprint: string;
}

const status = (e: unknown): number | undefined => (e as { response?: { statusCode?: number } })?.response?.statusCode;

/**
 * node-vault errors → BackendError, branching on the HTTP status (node-vault reports a bare 404 as
 * "Status 404"), never on message text. Never keeps the raw error: axios errors carry the request
 * config, X-Vault-Token included.
 */
export function sanitizeVaultError(e: unknown, op: string, path: string): BackendError {
  const s = status(e);
  const first = (e as { response?: { body?: { errors?: unknown[] } } })?.response?.body?.errors?.[0];
  const vaultSays = typeof first === 'string' ? first.slice(0, 200) : '';
  if (s === 403) return new BackendError('ACCESS_DENIED', `Vault ${op} ${path}: permission denied (HTTP 403)`, { hint: 'the token expired or its policy lacks this path (see the README\'s Vault policy)', details: { path, httpStatus: s } });
  if (s === 400 && /check-and-set/i.test(vaultSays)) return new BackendError('CAS_CONFLICT', `Vault ${op} ${path}: someone else wrote it since this rotation staged (check-and-set)`, { details: { path, httpStatus: s } });
  if (s === 429 || (s !== undefined && s >= 500)) return new BackendError('VAULT_UNAVAILABLE', `Vault ${op} ${path}: HTTP ${s}${vaultSays ? ` (${vaultSays})` : ''}`, { retryable: true, details: { path, httpStatus: s } });
  if (s !== undefined) return new BackendError(`VAULT_HTTP_${s}`, `Vault ${op} ${path}: HTTP ${s}${vaultSays ? ` (${vaultSays})` : ''}`, { details: { path, httpStatus: s } });
  const code = (e as { code?: string })?.code;
  return new BackendError('UNREACHABLE', `Vault ${op} ${path}: unreachable${code ? ` (${code})` : ''}`, { retryable: true, details: { path } });
}

/**
 * Vault KV v2. Consumers read <mount>/data/<ref>, and any version written there is current for
 * every reader at once, so `stage` keeps the pending value out of their sight at
 * <mount>/data/<pendingPrefix>/<ref> (with the rotation id and the main path's version seen at
 * stage time); `promote` writes it to the main path with cas = that version (a conflict means
 * someone else wrote: refused, the rotation rolls back), records the rotation id in the main
 * path's custom_metadata, then deletes the pending path. `previous` is the prior KV version.
 */
export function createVaultBackend(cfg: Pick<VaultBackendConfig, 'mount' | 'field' | 'pendingPrefix'>, deps: { client: () => Promise<VaultClientLike> }): SecretBackend {
  const data = (ref: string) => `${cfg.mount}/data/${ref}`;
  const meta = (ref: string) => `${cfg.mount}/metadata/${ref}`;
  const pdata = (ref: string) => `${cfg.mount}/data/${cfg.pendingPrefix}/${ref}`;
  const pmeta = (ref: string) => `${cfg.mount}/metadata/${cfg.pendingPrefix}/${ref}`;

  const call = async <T>(op: string, path: string, fn: (c: VaultClientLike) => Promise<T>): Promise<T> => {
    const c = await deps.client();
    try {
      return await fn(c);
    } catch (e) {
      throw sanitizeVaultError(e, op, path);
    }
  };
  /** read that answers null on 404 */
  const get = async (path: string): Promise<any | null> => {
    try {
      return await call('read', path, (c) => c.read(path));
    } catch (e) {
      if (e instanceof BackendError && e.code === 'VAULT_HTTP_404') return null;
      throw e;
    }
  };
  const field = (doc: any, path: string): string => {
    const v = doc?.data?.data?.[cfg.field];
    if (typeof v !== 'string') throw new BackendError('FIELD_MISSING', `Vault ${path} has no string field "${cfg.field}"`);
    return v;
  };
  const pending = async (ref: string): Promise<PendingDoc | null> => {
    const doc = await get(pdata(ref));
    return doc ? (doc.data.data as PendingDoc) : null;
  };
  const metadata = async (ref: string) => (await get(meta(ref)))?.data as { current_version: number; versions: Record<string, { created_time: string; deletion_time: string; destroyed: boolean }>; custom_metadata?: Record<string, string> | null } | undefined;
  const readVersion = async (ref: string, n: number): Promise<SecretRead | null> => {
    if (n <= 0) return null;
    const doc = await get(`${data(ref)}?version=${n}`);
    return doc ? { value: SecretValue.of(field(doc, data(ref))), versionId: String(n) } : null;
  };

  return {
    kind: 'vault',
    capabilities: () => ({ nativeStages: false, checkAndSet: true, scope: 'shared' as const }),

    async read(ref, stage) {
      if (stage === 'pending') {
        const p = await pending(ref);
        return p ? { value: SecretValue.of(p.value), versionId: `pending:${p.rotation_id}`, rotationId: p.rotation_id } : null;
      }
      const m = await metadata(ref);
      if (!m) return null;
      const cur = m.current_version;
      if (stage === 'current') {
        const r = await readVersion(ref, cur);
        return r && { ...r, ...(m.custom_metadata?.rekey_rotation_id ? { rotationId: m.custom_metadata.rekey_rotation_id } : {}) };
      }
      return readVersion(ref, cur - 1);
    },

    async stage(ref, value, rotationId) {
      const p = await pending(ref);
      if (p?.rotation_id === rotationId) {
        if (p.fingerprint !== value.fingerprint) throw new BackendError('STAGE_CONFLICT', `rotation ${rotationId} already staged a different value for ${ref}`);
        return { versionId: `pending:${rotationId}` };
      }
      const m = await metadata(ref);
      if (m?.custom_metadata?.rekey_rotation_id === rotationId) return { versionId: String(m.current_version) }; // already promoted
      const pm = await get(pmeta(ref));
      const doc: PendingDoc = { value: value.reveal(), rotation_id: rotationId, base_version: m?.current_version ?? 0, fingerprint: value.fingerprint };
      // cas on the pending slot too: two stagers at once → one conflict
      await call('write', pdata(ref), (c) => c.write(pdata(ref), { data: doc, options: { cas: pm?.data?.current_version ?? 0 } }));
      return { versionId: `pending:${rotationId}` };
    },

    async promote(ref, rotationId) {
      const m = await metadata(ref);
      const p = await pending(ref);
      if (m?.custom_metadata?.rekey_rotation_id === rotationId) {
        if (p?.rotation_id === rotationId) await call('delete', pmeta(ref), (c) => c.delete(pmeta(ref)));
        return;
      }
      if (!p) throw new BackendError('NOT_STAGED', `rotation ${rotationId} has no pending value of ${ref} to promote`);
      if (p.rotation_id !== rotationId) throw new BackendError('PENDING_TAKEN', `the pending value of ${ref} now belongs to rotation ${p.rotation_id}, not ${rotationId}`);
      try {
        await call('write', data(ref), (c) => c.write(data(ref), { data: { [cfg.field]: p.value }, options: { cas: p.base_version } }));
      } catch (e) {
        // the same rotation wrote it already (a crash before the metadata below, or a second resume
        // racing this one): the write is ours if the version right after the base holds our value
        if (!(e instanceof BackendError && e.code === 'CAS_CONFLICT')) throw e;
        const next = await readVersion(ref, p.base_version + 1);
        if (next?.value.reveal() !== p.value) throw e;
      }
      const custom = { ...(m?.custom_metadata ?? {}), rekey_rotation_id: rotationId, rekey_fingerprint: p.fingerprint };
      await call('write', meta(ref), (c) => c.write(meta(ref), { custom_metadata: custom }));
      await call('delete', pmeta(ref), (c) => c.delete(pmeta(ref)));
    },

    async discard(ref, rotationId) {
      const p = await pending(ref);
      if (p?.rotation_id === rotationId) await call('delete', pmeta(ref), (c) => c.delete(pmeta(ref)));
    },

    async versions(ref) {
      const out: VersionInfo[] = [];
      const m = await metadata(ref);
      if (m) {
        const cur = m.current_version;
        for (const [n, v] of Object.entries(m.versions)) {
          const num = Number(n);
          const stages: Stage[] = num === cur ? ['current'] : num === cur - 1 && !v.deletion_time && !v.destroyed ? ['previous'] : [];
          if (stages.length === 0) continue;
          const r = await readVersion(ref, num);
          out.push({ versionId: n, stages, createdAt: v.created_time, ...(r ? { fingerprint: r.value.fingerprint } : {}), ...(num === cur && m.custom_metadata?.rekey_rotation_id ? { rotationId: m.custom_metadata.rekey_rotation_id } : {}) });
        }
      }
      const p = await pending(ref);
      if (p) out.push({ versionId: `pending:${p.rotation_id}`, stages: ['pending'], rotationId: p.rotation_id, fingerprint: p.fingerprint });
      return out;
    },
  };
}

/** Refuse anything but a KV v2 mount: Vault silently ignores check-and-set on KV v1. */
export async function assertKvV2(client: VaultClientLike, mount: string): Promise<void> {
  let mounts: Record<string, { type?: string; options?: { version?: string } | null }>;
  try {
    const r = await client.mounts();
    mounts = (r?.data ?? r) as typeof mounts;
  } catch (e) {
    throw sanitizeVaultError(e, 'read', 'sys/mounts');
  }
  const m = mounts[`${mount}/`];
  if (!m) throw new UnsafeError('VAULT_NO_MOUNT', `Vault has no mount "${mount}/"`, { hint: 'set backends.<name>.mount to your KV v2 mount' });
  if (m.type !== 'kv' || m.options?.version !== '2') {
    throw new UnsafeError('VAULT_KV_V1', `Vault mount "${mount}/" is ${m.type === 'kv' ? `KV version ${m.options?.version ?? '1'}` : `of type ${m.type}`}, not KV v2: check-and-set would be silently ignored and concurrent writers would lose updates`, {
      hint: `vault kv enable-versioning ${mount}/ (or point the policy at a KV v2 mount)`,
    });
  }
}
