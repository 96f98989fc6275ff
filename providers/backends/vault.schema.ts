import { z } from 'zod';
import type { BackendSpec } from '../../src/core/adapters.js';
import { requestTimeoutMs } from '../spec-helpers.js';

const tokenAuth = z.strictObject({
  method: z.literal('token'),
  /** a 0600 file holding the token; default: VAULT_TOKEN */
  tokenFile: z.string().min(1).optional(),
});
const approleAuth = z.strictObject({
  method: z.literal('approle'),
  roleIdFile: z.string().min(1),
  /** 0600 */
  secretIdFile: z.string().min(1),
  /** the auth mount; default approle */
  mount: z.string().min(1).default('approle'),
});

export const vaultBackendConfig = z
  .strictObject({
    kind: z.literal('vault'),
    /** default: VAULT_ADDR */
    address: z.string().url().optional(),
    /** the KV v2 mount, which may itself contain slashes (teams/kv); default secret */
    mount: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/, 'a mount path: segments of letters, digits, _ . - separated by single slashes, none at either end')
      .refine((m) => !m.split('/').some((seg) => seg === '.' || seg === '..'), 'no . or .. segments')
      .default('secret'),
    /** Vault Enterprise namespace; default: VAULT_NAMESPACE */
    namespace: z.string().min(1).optional(),
    auth: z.discriminatedUnion('method', [tokenAuth, approleAuth]).default({ method: 'token' }),
    /** PEM bundle to trust; default: VAULT_CACERT, then the system store */
    caCertFile: z.string().min(1).optional(),
    /** the field of the KV data that holds the credential */
    field: z.string().min(1).default('value'),
    /** where pending values wait, out of consumers' sight: <mount>/data/<pendingPrefix>/<ref> */
    pendingPrefix: z.string().regex(/^[A-Za-z0-9_.-]+$/).default('rekey-pending'),
    /** where the standby pool waits (`rekey put --standby`): <mount>/data/<standbyPrefix>/<ref> */
    standbyPrefix: z.string().regex(/^[A-Za-z0-9_.-]+$/).default('rekey-standby'),
    requestTimeoutMs,
  })
  .describe('HashiCorp Vault KV v2: versions + check-and-set; shared across hosts.');
export type VaultBackendConfig = z.infer<typeof vaultBackendConfig>;

declare module '../../src/core/adapters.js' {
  interface BackendConfigs { 'vault': VaultBackendConfig }
}

export const vaultBackendSpec: BackendSpec<VaultBackendConfig> = { kind: 'vault', capabilities: { nativeStages: false, checkAndSet: true, scope: 'shared' } };
