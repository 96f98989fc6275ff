/**
 * Anthropic Admin API (platform.claude.com/docs/en/api/admin): API keys can be listed, read and
 * updated (`status`: active, inactive, archived), never created. Used: GET
 * /v1/organizations/api_keys (paged: limit, after_id; has_more, last_id), POST
 * /v1/organizations/api_keys/{id} with {status}. Headers: x-api-key (the admin key),
 * anthropic-version: 2023-06-01. A key is found by its `partial_key_hint` (prefix…suffix).
 */
import { BackendError } from '../../src/core/errors.js';
import type { Issuer, UpstreamStatus } from '../../src/core/ports.js';
import type { SecretValue } from '../../src/core/secret-value.js';
import { adminHttp, findByHint } from './admin-http.js';
import type { AnthropicAdminIssuerConfig } from './anthropic-admin.schema.js';

interface ApiKey {
  id: string;
  type: 'api_key';
  name: string;
  partial_key_hint: string | null;
  status: 'active' | 'inactive' | 'archived' | 'expired';
}
interface Page {
  data: ApiKey[];
  has_more: boolean;
  last_id: string | null;
}

export function createAnthropicAdminIssuer(cfg: AnthropicAdminIssuerConfig, adminKey: () => Promise<SecretValue>): Issuer {
  const http = adminHttp({
    baseUrl: cfg.baseUrl,
    timeoutMs: cfg.timeoutMs,
    api: 'Anthropic Admin API',
    headers: async () => ({ 'x-api-key': (await adminKey()).reveal(), 'anthropic-version': '2023-06-01' }),
    permissionHint: 'the admin key needs the permission to read and update API keys of the organization (an organization admin key)',
  });
  const find = (value: SecretValue, signal: AbortSignal) =>
    findByHint<ApiKey>(value, (after) => http.json<Page>('GET', `/v1/organizations/api_keys?${new URLSearchParams({ limit: '100', ...(after ? { after_id: after } : {}) })}`, undefined, signal), (k) => k.partial_key_hint, 'the Anthropic organization');
  const setStatus = async (value: SecretValue, status: 'active' | 'inactive', signal: AbortSignal) => {
    const k = await find(value, signal);
    if (!k) throw new BackendError('ISSUER_KEY_UNKNOWN', `no Anthropic API key of this organization matches ${value.fingerprint}`, { hint: 'was it created in another organization, or already deleted in the Console?' });
    if (k.status === status) return { id: k.id, status: k.status as UpstreamStatus };
    const u = await http.json<ApiKey>('POST', `/v1/organizations/api_keys/${encodeURIComponent(k.id)}`, { status }, signal);
    return { id: u.id, status: u.status as UpstreamStatus };
  };
  return {
    kind: 'anthropic-admin',
    can: { mint: false, retire: true, unretire: true },
    async find(value, signal) {
      const k = await find(value, signal);
      return k ? { id: k.id, status: k.status } : null;
    },
    retire: (value, signal) => setStatus(value, 'inactive', signal),
    unretire: (value, signal) => setStatus(value, 'active', signal),
  };
}
