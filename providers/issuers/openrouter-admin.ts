/**
 * OpenRouter key management (openrouter.ai/docs/features/provisioning-api-keys, API reference
 * "API Keys"): a management key (Authorization: Bearer) manages the account's API keys. Used:
 * POST /api/v1/keys ({name, limit?, expires_at?} → {data: {hash, label, disabled, expires_at, …},
 * key} — the key shown once), GET /api/v1/keys?offset=N&include_disabled=true (100 a page:
 * {data}), PATCH /api/v1/keys/{hash} ({disabled}). A key is found by its `label`
 * (`sk-or-v1-xxx...xxxx`). Retire = disabled (refused by the completion API, reversible); un-retire
 * = enabled again.
 */
import { BackendError } from '../../src/core/errors.js';
import type { Issuer, UpstreamStatus } from '../../src/core/ports.js';
import { SecretValue } from '../../src/core/secret-value.js';
import { durationMs } from '../../src/policy/schedule.js';
import { adminHttp, findByHint } from './admin-http.js';
import type { OpenrouterAdminIssuerConfig } from './openrouter-admin.schema.js';

interface KeyData {
  hash: string;
  name: string;
  label: string;
  disabled: boolean;
  expires_at?: string | null;
}
const PAGE = 100;

export function createOpenrouterAdminIssuer(cfg: OpenrouterAdminIssuerConfig, managementKey: () => Promise<SecretValue>, now: () => Date = () => new Date()): Issuer {
  const http = adminHttp({
    baseUrl: cfg.baseUrl,
    timeoutMs: cfg.timeoutMs,
    api: 'OpenRouter key management API',
    headers: async () => ({ authorization: `Bearer ${(await managementKey()).reveal()}` }),
    permissionHint: 'the key must be a management (provisioning) key of the account: https://openrouter.ai/settings/management-keys',
  });
  const statusOf = (k: KeyData): UpstreamStatus => (k.disabled ? 'inactive' : k.expires_at && Date.parse(k.expires_at) <= now().getTime() ? 'expired' : 'active');
  const find = (value: SecretValue, signal: AbortSignal) =>
    findByHint<KeyData & { id: string }>(
      value,
      async (after) => {
        const offset = Number(after ?? 0);
        const r = await http.json<{ data?: KeyData[] }>('GET', `/api/v1/keys?${new URLSearchParams({ offset: String(offset), include_disabled: 'true' })}`, undefined, signal);
        const data = (r?.data ?? []).map((k) => ({ ...k, id: k.hash }));
        return { data, has_more: data.length >= PAGE, last_id: data.length >= PAGE ? String(offset + data.length) : null };
      },
      (k) => k.label,
      'the OpenRouter account',
    );
  const setDisabled = async (value: SecretValue, disabled: boolean, signal: AbortSignal) => {
    const k = await find(value, signal);
    if (!k) {
      if (disabled) return { id: 'unknown', status: 'deleted' as const }; // gone already: retiring again is a no-op
      throw new BackendError('ISSUER_KEY_UNKNOWN', `no OpenRouter key of this account matches ${value.fingerprint}`, { hint: 'was it deleted in the dashboard?' });
    }
    if (k.disabled === disabled) return { id: k.hash, status: statusOf(k) };
    const u = await http.json<{ data?: KeyData }>('PATCH', `/api/v1/keys/${encodeURIComponent(k.hash)}`, { disabled }, signal);
    return { id: k.hash, status: u?.data ? statusOf(u.data) : disabled ? 'inactive' : 'active' };
  };
  return {
    kind: 'openrouter-admin',
    can: { mint: true, retire: true, unretire: true },
    async mint(name, signal, opts) {
      // the shorter of the lease's ttl and the policy's expiresIn
      const ms = Math.min(cfg.expiresIn ? durationMs(cfg.expiresIn) : Infinity, opts?.ttlSeconds !== undefined ? opts.ttlSeconds * 1000 : Infinity);
      const expires = Number.isFinite(ms) ? new Date(now().getTime() + ms).toISOString() : undefined;
      const r = await http.json<{ data?: KeyData; key?: string }>('POST', '/api/v1/keys', { name, ...(cfg.limit !== undefined ? { limit: cfg.limit } : {}), ...(expires ? { expires_at: expires } : {}) }, signal);
      if (typeof r?.key !== 'string' || !r.key || !r.data?.hash) throw new BackendError('ISSUER_FAILED', 'the OpenRouter key management API created a key but returned no value');
      return { value: SecretValue.of(r.key), id: r.data.hash, ...(r.data.expires_at ? { expiresAt: r.data.expires_at } : {}) };
    },
    async find(value, signal) {
      const k = await find(value, signal);
      return k ? { id: k.hash, status: statusOf(k) } : null;
    },
    retire: (value, signal) => setDisabled(value, true, signal),
    unretire: (value, signal) => setDisabled(value, false, signal),
  };
}
