import { readFileSync, statSync } from 'node:fs';
import { UnsafeError, UsageError } from '../../src/core/errors.js';
import { skipVerifyFrom, vaultTransport } from './vault-transport.js';
import { assertKvV2, sanitizeVaultError, vaultStatus, type VaultClientLike } from './vault.js';
import type { VaultBackendConfig } from './vault.schema.js';

/** A credential file must be readable by its owner only. */
function readCredentialFile(path: string, what: string): string {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new UsageError('VAULT_CREDENTIAL_MISSING', `${what} file ${path} does not exist`);
  }
  if ((st.mode & 0o077) !== 0) throw new UnsafeError('VAULT_CREDENTIAL_TOO_OPEN', `${what} file ${path} has mode ${(st.mode & 0o777).toString(8)}`, { hint: `chmod 600 ${path}` });
  return readFileSync(path, 'utf8').trim();
}

type NodeVault = VaultClientLike & {
  token: string;
  approleLogin(o: object): Promise<{ auth?: { client_token?: string; lease_duration?: number; renewable?: boolean } }>;
};

export interface VaultSession extends VaultClientLike {
  /** revoke the token rekey obtained itself (AppRole); an operator's own token is never revoked */
  close(): Promise<void>;
}

/**
 * The real node-vault client: address/namespace/CA from the policy or VAULT_ADDR /
 * VAULT_NAMESPACE / VAULT_CACERT; TLS verification on unless VAULT_SKIP_VERIFY is a true boolean
 * (a warning on every such run); token from a 0600 file or VAULT_TOKEN, or an AppRole login from
 * role-id and secret-id files. An AppRole token is renewed past half its lease, obtained again
 * once when Vault answers 403 (it expired mid-rotation), and revoked at `close`. node-vault's
 * debug logging (which prints written data) is a no-op. The mount is checked to be KV v2 first.
 */
export async function createVaultClient(cfg: VaultBackendConfig, env: NodeJS.ProcessEnv, opts: { warn?: (msg: string) => void; now?: () => number } = {}): Promise<VaultSession> {
  const { default: nodeVault } = await import('node-vault');
  const now = opts.now ?? Date.now;
  const address = cfg.address ?? env.VAULT_ADDR;
  if (!address) throw new UsageError('VAULT_ADDR_MISSING', 'no Vault address: set backends.<name>.address or VAULT_ADDR');
  const caFile = cfg.caCertFile ?? env.VAULT_CACERT;
  const namespace = cfg.namespace ?? env.VAULT_NAMESPACE;
  const skip = skipVerifyFrom(env);
  if (skip && address.startsWith('https:')) opts.warn?.(`VAULT_SKIP_VERIFY is set: TLS certificates of ${address} are NOT verified; anyone on the path can read the Vault token and every credential`);
  let token: string | undefined;
  if (cfg.auth.method === 'token') {
    token = cfg.auth.tokenFile ? readCredentialFile(cfg.auth.tokenFile, 'Vault token') : env.VAULT_TOKEN;
    if (!token) throw new UsageError('VAULT_TOKEN_MISSING', 'no Vault token: set auth.tokenFile (0600) or VAULT_TOKEN');
  }
  const transport = vaultTransport({ verifyTls: !skip, timeoutMs: cfg.requestTimeoutMs, ...(caFile ? { ca: readFileSync(caFile) } : {}) });
  const client = nodeVault({
    endpoint: address,
    ...(token ? { token } : {}),
    ...(namespace ? { namespace } : {}),
    // rekey's transport and TLS decision, not node-vault's reading of process.env
    'request-promise': transport,
    rpDefaults: { strictSSL: !skip },
    debug: () => {},
  } as object) as unknown as NodeVault;

  // AppRole: rekey's own token, with its lease
  let lease: { at: number; seconds: number; renewable: boolean } | null = null;
  const auth = cfg.auth;
  const login = async (signal?: AbortSignal) => {
    if (auth.method !== 'approle') return;
    const role_id = readCredentialFile(auth.roleIdFile, 'AppRole role-id');
    const secret_id = readCredentialFile(auth.secretIdFile, 'AppRole secret-id');
    try {
      const r = await client.approleLogin({ mount_point: auth.mount, role_id, secret_id, requestOptions: signal ? { signal } : {} });
      lease = { at: now(), seconds: r.auth?.lease_duration ?? 0, renewable: r.auth?.renewable === true };
    } catch (e) {
      throw sanitizeVaultError(e, 'login', `auth/${auth.mount}/login`);
    }
  };
  const renewIfDue = async (signal?: AbortSignal) => {
    if (!lease || lease.seconds <= 0 || now() - lease.at < (lease.seconds * 1000) / 2) return;
    if (lease.renewable) {
      try {
        const r = (await client.write('auth/token/renew-self', {}, signal ? { signal } : {})) as { auth?: { lease_duration?: number; renewable?: boolean } };
        lease = { at: now(), seconds: r.auth?.lease_duration ?? 0, renewable: r.auth?.renewable === true };
        return;
      } catch {
        // not renewable any more (max TTL reached): a new login below
      }
    }
    await login(signal);
  };
  const signalOf = (o?: object) => (o as { signal?: AbortSignal } | undefined)?.signal;
  /** every call: renew when due; on a 403 with an AppRole token, log in again once and retry */
  const authed = async <T>(o: object | undefined, fn: () => Promise<T>): Promise<T> => {
    await renewIfDue(signalOf(o));
    try {
      return await fn();
    } catch (e) {
      if (auth.method !== 'approle' || vaultStatus(e) !== 403) throw e;
      await login(signalOf(o));
      return fn();
    }
  };
  await login();
  const session: VaultSession = {
    read: (path, o) => authed(o, () => client.read(path, o)),
    write: (path, data, o) => authed(o, () => client.write(path, data, o)),
    delete: (path, o) => authed(o, () => client.delete(path, o)),
    async close() {
      if (!lease) return;
      lease = null;
      try {
        await client.write('auth/token/revoke-self', {}, { signal: AbortSignal.timeout(5_000) });
      } catch {
        // best effort: the token still ends at its TTL
      }
    },
  };
  try {
    await assertKvV2(session, cfg.mount);
  } catch (e) {
    await session.close();
    throw e;
  }
  return session;
}
