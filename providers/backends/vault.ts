import { BackendError, UnsafeError } from '../../src/core/errors.js';
import type { AuditAnchor, SecretBackend, SecretRead, Stage, VersionInfo } from '../../src/core/ports.js';
import { vaultStandby } from './vault-standby.js';
import { SecretValue } from '../../src/core/secret-value.js';
import { vaultBackendSpec, type VaultBackendConfig } from './vault.schema.js';

/** The slice of node-vault's client rekey uses; requestOptions carry the AbortSignal. */
export interface VaultClientLike {
  read(path: string, requestOptions?: { signal?: AbortSignal }): Promise<any>;
  write(path: string, data: unknown, requestOptions?: { signal?: AbortSignal }): Promise<any>;
  delete(path: string, requestOptions?: { signal?: AbortSignal }): Promise<any>;
}

interface PendingDoc {
  value: string;
  rotation_id: string;
  base_version: number;
  fingerprint: string;
}

export const vaultStatus = (e: unknown): number | undefined => (e as { response?: { statusCode?: number } })?.response?.statusCode;

const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND', 'ECONNABORTED', 'UND_ERR_SOCKET']);
const TLS = /CERT|SELF_SIGNED|UNABLE_TO_(VERIFY|GET)|ERR_TLS|ERR_SSL|EPROTO/;

/**
 * node-vault errors → BackendError, branching on the HTTP status (node-vault reports a bare 404 as
 * "Status 404") or the socket error code, never on message text. Network errors and 5xx are
 * retryable; a TLS trust failure or any other client error is configuration (not retried, the
 * client's own message kept). Never keeps the raw error: it can carry the request headers.
 */
export function sanitizeVaultError(e: unknown, op: string, path: string): BackendError {
  if (e instanceof BackendError) return e;
  const s = vaultStatus(e);
  const first = (e as { response?: { body?: { errors?: unknown[] } } })?.response?.body?.errors?.[0];
  const vaultSays = typeof first === 'string' ? first.slice(0, 200) : '';
  if (s === 403) return new BackendError('ACCESS_DENIED', `Vault ${op} ${path}: permission denied (HTTP 403)`, { hint: 'the token expired or its policy lacks this path (see the policy in docs/vault.md)', details: { path, httpStatus: s } });
  if (s === 400 && /check-and-set/i.test(vaultSays)) return new BackendError('CAS_CONFLICT', `Vault ${op} ${path}: someone else wrote it since this rotation staged (check-and-set)`, { details: { path, httpStatus: s } });
  if (s === 429 || (s !== undefined && s >= 500)) return new BackendError('VAULT_UNAVAILABLE', `Vault ${op} ${path}: HTTP ${s}${vaultSays ? ` (${vaultSays})` : ''}`, { retryable: true, details: { path, httpStatus: s } });
  if (s !== undefined) return new BackendError(`VAULT_HTTP_${s}`, `Vault ${op} ${path}: HTTP ${s}${vaultSays ? ` (${vaultSays})` : ''}`, { details: { path, httpStatus: s } });
  const code = (e as { code?: string })?.code;
  const said = String((e as Error)?.message ?? e).split('\n')[0]!.slice(0, 200);
  if (code && TLS.test(code)) {
    return new BackendError('VAULT_TLS', `Vault ${op} ${path}: TLS: ${said} (${code})`, { details: { path, tls: code }, hint: 'point caCertFile (or VAULT_CACERT) at the CA that signed Vault\'s certificate' });
  }
  if (code && NETWORK.has(code)) return new BackendError('UNREACHABLE', `Vault ${op} ${path}: unreachable (${code})`, { retryable: true, details: { path } });
  if ((e as Error)?.name === 'AbortError') return new BackendError('ABORTED', `Vault ${op} ${path}: aborted`, { details: { path } });
  return new BackendError('VAULT_CLIENT_ERROR', `Vault ${op} ${path}: ${said}`, { details: { path, ...(code ? { errorCode: code } : {}) } });
}

/**
 * Vault KV v2. Consumers read <mount>/data/<ref>, and any version written there is current for
 * every reader at once, so `stage` keeps the pending value out of their sight at
 * <mount>/data/<pendingPrefix>/<ref> (with the rotation id and the main path's version seen at
 * stage time); `promote` writes it to the main path with cas = that version (a conflict means
 * someone else wrote: refused, the rotation rolls back), records the rotation id in the main
 * path's custom_metadata, then deletes the pending path. `previous` is the prior KV version.
 */
export function createVaultBackend(cfg: Pick<VaultBackendConfig, 'mount' | 'field' | 'pendingPrefix'> & Partial<Pick<VaultBackendConfig, 'standbyPrefix'>>, deps: { client: () => Promise<VaultClientLike> }): SecretBackend {
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
  const get = async (path: string, signal: AbortSignal): Promise<any | null> => {
    try {
      return await call('read', path, (c) => c.read(path, { signal }));
    } catch (e) {
      if (e instanceof BackendError && e.code === 'VAULT_HTTP_404') return null;
      throw e;
    }
  };
  const write = (path: string, body: unknown, signal: AbortSignal) => call('write', path, (c) => c.write(path, body, { signal }));
  const remove = (path: string, signal: AbortSignal) => call('delete', path, (c) => c.delete(path, { signal }));
  const field = (doc: any, path: string): string => {
    const v = doc?.data?.data?.[cfg.field];
    if (typeof v !== 'string') throw new BackendError('FIELD_MISSING', `Vault ${path} has no string field "${cfg.field}"`);
    return v;
  };
  /** Vault answered 200 with something that is not what its API documents (a proxy, another engine) */
  const unexpected = (path: string, what: string) =>
    new BackendError('VAULT_UNEXPECTED_ANSWER', `Vault read ${path}: the answer is not a KV v2 ${what}`, { hint: 'check that the mount is KV v2 and that no proxy rewrites Vault\'s answers', details: { path } });
  const pending = async (ref: string, signal: AbortSignal): Promise<PendingDoc | null> => {
    const doc = await get(pdata(ref), signal);
    if (doc === null || doc?.data?.data === null) return null;
    const p = doc?.data?.data as Partial<PendingDoc> | undefined;
    if (!p || typeof p.value !== 'string' || typeof p.rotation_id !== 'string' || typeof p.base_version !== 'number' || typeof p.fingerprint !== 'string') throw unexpected(pdata(ref), 'pending record');
    return p as PendingDoc;
  };
  const metadata = async (ref: string, signal: AbortSignal) => {
    const doc = await get(meta(ref), signal);
    if (doc === null) return undefined;
    const m = doc?.data as { current_version?: unknown; versions?: unknown; custom_metadata?: unknown } | undefined;
    if (!m || typeof m.current_version !== 'number' || !m.versions || typeof m.versions !== 'object' || (m.custom_metadata != null && typeof m.custom_metadata !== 'object')) throw unexpected(meta(ref), 'metadata');
    return m as { current_version: number; versions: Record<string, { created_time: string; deletion_time: string; destroyed: boolean }>; custom_metadata?: Record<string, string> | null };
  };
  const readVersion = async (ref: string, n: number, signal: AbortSignal): Promise<SecretRead | null> => {
    if (n <= 0) return null;
    const doc = await get(`${data(ref)}?version=${n}`, signal);
    return doc?.data?.data ? { value: SecretValue.of(field(doc, data(ref))), versionId: String(n) } : null;
  };

  return {
    kind: 'vault',
    standby: vaultStandby(cfg.mount, cfg.standbyPrefix ?? 'rekey-standby', { get, write }),
    capabilities: () => vaultBackendSpec.capabilities,

    async read(ref, stage, signal) {
      if (stage === 'pending') {
        const p = await pending(ref, signal);
        return p ? { value: SecretValue.of(p.value), versionId: `pending:${p.rotation_id}`, rotationId: p.rotation_id } : null;
      }
      const m = await metadata(ref, signal);
      if (!m) return null;
      const cur = m.current_version;
      if (stage === 'current') {
        const r = await readVersion(ref, cur, signal);
        return r && { ...r, ...(m.custom_metadata?.rekey_rotation_id ? { rotationId: m.custom_metadata.rekey_rotation_id } : {}) };
      }
      return readVersion(ref, cur - 1, signal);
    },

    async stage(ref, value, rotationId, signal) {
      const p = await pending(ref, signal);
      if (p?.rotation_id === rotationId) {
        if (p.fingerprint !== value.fingerprint) throw new BackendError('STAGE_CONFLICT', `rotation ${rotationId} already staged a different value for ${ref}`);
        return { versionId: `pending:${rotationId}` };
      }
      const m = await metadata(ref, signal);
      if (m?.custom_metadata?.rekey_rotation_id === rotationId) return { versionId: String(m.current_version) }; // already promoted
      const pm = await get(pmeta(ref), signal);
      const doc: PendingDoc = { value: value.reveal(), rotation_id: rotationId, base_version: m?.current_version ?? 0, fingerprint: value.fingerprint };
      // cas on the pending slot too: two stagers at once → one conflict
      await write(pdata(ref), { data: doc, options: { cas: pm?.data?.current_version ?? 0 } }, signal);
      return { versionId: `pending:${rotationId}` };
    },

    async promote(ref, rotationId, signal) {
      const m = await metadata(ref, signal);
      const p = await pending(ref, signal);
      if (m?.custom_metadata?.rekey_rotation_id === rotationId) {
        if (p?.rotation_id === rotationId) await remove(pmeta(ref), signal);
        return;
      }
      if (!p) throw new BackendError('NOT_STAGED', `rotation ${rotationId} has no pending value of ${ref} to promote`);
      if (p.rotation_id !== rotationId) throw new BackendError('PENDING_TAKEN', `the pending value of ${ref} now belongs to rotation ${p.rotation_id}, not ${rotationId}`);
      try {
        await write(data(ref), { data: { [cfg.field]: p.value }, options: { cas: p.base_version } }, signal);
      } catch (e) {
        // the same rotation wrote it already (a crash before the metadata below, or a second resume
        // racing this one): the write is ours if the version right after the base holds our value
        if (!(e instanceof BackendError && e.code === 'CAS_CONFLICT')) throw e;
        const next = await readVersion(ref, p.base_version + 1, signal);
        if (next?.value.reveal() !== p.value) throw e;
      }
      // custom_metadata is replaced as a whole: keep what others put there
      const custom = { ...(m?.custom_metadata ?? {}), rekey_rotation_id: rotationId, rekey_fingerprint: p.fingerprint };
      await write(meta(ref), { custom_metadata: custom }, signal);
      await remove(pmeta(ref), signal);
    },

    async discard(ref, rotationId, signal) {
      const p = await pending(ref, signal);
      if (p?.rotation_id === rotationId) await remove(pmeta(ref), signal);
    },

    async remove(ref, signal) {
      // DELETE metadata: every version and the metadata (not a soft delete of the latest version)
      await remove(pmeta(ref), signal);
      await remove(meta(ref), signal);
    },

    async writeAnchor(ref, head, signal) {
      // a KV v2 path of its own: every head is a version (Vault keeps the history)
      await write(data(ref), { data: { ...head } }, signal);
    },

    async readAnchor(ref, signal) {
      const doc = await get(data(ref), signal);
      const h = doc?.data?.data as Partial<AuditAnchor> | undefined;
      if (!h) return null;
      if (typeof h.seq !== 'number' || typeof h.hash !== 'string') throw unexpected(data(ref), 'audit anchor');
      return { seq: h.seq, hash: h.hash, host: String(h.host ?? ''), at: String(h.at ?? '') };
    },

    async versions(ref, signal) {
      const out: VersionInfo[] = [];
      const m = await metadata(ref, signal);
      if (m) {
        const cur = m.current_version;
        for (const [n, v] of Object.entries(m.versions)) {
          const num = Number(n);
          const stages: Stage[] = num === cur ? ['current'] : num === cur - 1 && !v.deletion_time && !v.destroyed ? ['previous'] : [];
          if (stages.length === 0) continue;
          const r = await readVersion(ref, num, signal);
          out.push({ versionId: n, stages, createdAt: v.created_time, ...(r ? { fingerprint: r.value.fingerprint } : {}), ...(num === cur && m.custom_metadata?.rekey_rotation_id ? { rotationId: m.custom_metadata.rekey_rotation_id } : {}) });
        }
      }
      const p = await pending(ref, signal);
      if (p) out.push({ versionId: `pending:${p.rotation_id}`, stages: ['pending'], rotationId: p.rotation_id, fingerprint: p.fingerprint });
      return out;
    },
  };
}

interface MountInfo {
  path?: string;
  type?: string;
  options?: { version?: string } | null;
}

/**
 * Refuse anything but a KV v2 mount: Vault silently ignores check-and-set on KV v1. Asks
 * sys/internal/ui/mounts/<mount> first (what `vault kv` asks; a token with any capability under
 * the mount may read it, no extra grant), then sys/mounts (which least-privilege tokens usually
 * cannot read). Vault answers 403 for a mount that does not exist there too.
 */
export async function assertKvV2(client: VaultClientLike, mount: string, signal?: AbortSignal): Promise<void> {
  const o = signal ? { signal } : {};
  let m: MountInfo | undefined;
  let firstStatus: number | undefined;
  try {
    const r = await client.read(`sys/internal/ui/mounts/${mount}`, o);
    m = r?.data as MountInfo;
    if (m?.path !== undefined && m.path !== `${mount}/`) {
      throw new UnsafeError('VAULT_NO_MOUNT', `Vault has no mount "${mount}/": that path lies inside the mount "${m.path}"`, { hint: `set backends.<name>.mount to ${m.path.replace(/\/$/, '')} and put the rest of the path in the refs` });
    }
  } catch (e) {
    if (e instanceof UnsafeError) throw e;
    firstStatus = vaultStatus(e);
    // any HTTP answer (403 no grant or no such mount, 404/405 a Vault or proxy without this
    // endpoint) falls back to sys/mounts; a network or TLS failure is reported as it is
    if (firstStatus === undefined) throw sanitizeVaultError(e, 'read', `sys/internal/ui/mounts/${mount}`);
  }
  if (!m) {
    let mounts: Record<string, MountInfo>;
    try {
      const r = await client.read('sys/mounts', o);
      mounts = (r?.data ?? r) as Record<string, MountInfo>;
    } catch (e) {
      if (vaultStatus(e) === 403) {
        throw new BackendError('ACCESS_DENIED', `Vault: no mount "${mount}/" that this token can use (sys/internal/ui/mounts/${mount}: HTTP ${firstStatus}; sys/mounts: HTTP 403)`, {
          hint: `check backends.<name>.mount and the namespace, and that the token's policy grants capabilities under ${mount}/data/ and ${mount}/metadata/ (see the policy in docs/vault.md)`,
          details: { path: `sys/internal/ui/mounts/${mount}`, httpStatus: 403 },
        });
      }
      throw sanitizeVaultError(e, 'read', 'sys/mounts');
    }
    m = mounts[`${mount}/`];
    if (!m) throw new UnsafeError('VAULT_NO_MOUNT', `Vault has no mount "${mount}/"`, { hint: 'set backends.<name>.mount to your KV v2 mount' });
  }
  if (m.type !== 'kv' || m.options?.version !== '2') {
    throw new UnsafeError('VAULT_KV_V1', `Vault mount "${mount}/" is ${m.type === 'kv' ? `KV version ${m.options?.version ?? '1'}` : `of type ${m.type}`}, not KV v2: check-and-set would be silently ignored and concurrent writers would lose updates`, {
      hint: `vault kv enable-versioning ${mount}/ (or point the policy at a KV v2 mount)`,
    });
  }
}
