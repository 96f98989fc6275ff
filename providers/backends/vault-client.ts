import { readFileSync, statSync } from 'node:fs';
import { UnsafeError, UsageError } from '../../src/core/errors.js';
import { assertKvV2, sanitizeVaultError, type VaultClientLike } from './vault.js';
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

/**
 * The real node-vault client: address/namespace/CA from the policy or VAULT_ADDR /
 * VAULT_NAMESPACE / VAULT_CACERT; token from a 0600 file or VAULT_TOKEN, or an AppRole login
 * from role-id and secret-id files. node-vault's debug logging (which prints written data) is
 * replaced by a no-op. The mount is checked to be KV v2 before first use.
 */
export async function createVaultClient(cfg: VaultBackendConfig, env: NodeJS.ProcessEnv): Promise<VaultClientLike> {
  const { default: nodeVault } = await import('node-vault');
  const address = cfg.address ?? env.VAULT_ADDR;
  if (!address) throw new UsageError('VAULT_ADDR_MISSING', 'no Vault address: set backends.<name>.address or VAULT_ADDR');
  const caFile = cfg.caCertFile ?? env.VAULT_CACERT;
  const namespace = cfg.namespace ?? env.VAULT_NAMESPACE;
  let token: string | undefined;
  if (cfg.auth.method === 'token') {
    token = cfg.auth.tokenFile ? readCredentialFile(cfg.auth.tokenFile, 'Vault token') : env.VAULT_TOKEN;
    if (!token) throw new UsageError('VAULT_TOKEN_MISSING', 'no Vault token: set auth.tokenFile (0600) or VAULT_TOKEN');
  }
  const client = nodeVault({
    endpoint: address,
    ...(token ? { token } : {}),
    ...(namespace ? { namespace } : {}),
    requestOptions: { timeout: cfg.requestTimeoutMs, ...(caFile ? { ca: readFileSync(caFile) } : {}) },
    debug: () => {},
  }) as unknown as VaultClientLike & { approleLogin(o: object): Promise<unknown> };
  if (cfg.auth.method === 'approle') {
    const role_id = readCredentialFile(cfg.auth.roleIdFile, 'AppRole role-id');
    const secret_id = readCredentialFile(cfg.auth.secretIdFile, 'AppRole secret-id');
    try {
      await client.approleLogin({ mount_point: cfg.auth.mount, role_id, secret_id });
    } catch (e) {
      throw sanitizeVaultError(e, 'login', `auth/${cfg.auth.mount}/login`);
    }
  }
  await assertKvV2(client, cfg.mount);
  return client;
}
