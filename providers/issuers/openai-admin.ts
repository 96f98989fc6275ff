/**
 * OpenAI Admin API (platform.openai.com/docs/api-reference/administration): keys of a project's
 * service account. Used: POST /v1/organization/projects/{project}/service_accounts/{sa}/api_keys
 * ({name, expires_in_seconds} → {id, value, expires_at}), GET
 * /v1/organization/projects/{project}/api_keys (paged: limit, after; has_more, last_id; each key
 * with its `redacted_value`), DELETE /v1/organization/projects/{project}/api_keys/{id}.
 * Authorization: Bearer <admin key>. A deleted key is refused by the API at once.
 */
import { BackendError } from '../../src/core/errors.js';
import type { Issuer } from '../../src/core/ports.js';
import { SecretValue } from '../../src/core/secret-value.js';
import { durationMs } from '../../src/policy/schedule.js';
import { adminHttp, findByHint } from './admin-http.js';
import type { OpenaiAdminIssuerConfig } from './openai-admin.schema.js';

interface ProjectKey {
  id: string;
  redacted_value: string;
  name: string;
}
interface Page {
  data: ProjectKey[];
  has_more: boolean;
  last_id: string | null;
}

export function createOpenaiAdminIssuer(cfg: OpenaiAdminIssuerConfig, adminKey: () => Promise<SecretValue>): Issuer {
  const http = adminHttp({
    baseUrl: cfg.baseUrl,
    timeoutMs: cfg.timeoutMs,
    api: 'OpenAI Admin API',
    headers: async () => ({ authorization: `Bearer ${(await adminKey()).reveal()}` }),
    permissionHint: `the admin key needs write access to the API keys and service accounts of project ${cfg.project}`,
  });
  const project = `/v1/organization/projects/${encodeURIComponent(cfg.project)}`;
  const find = (value: SecretValue, signal: AbortSignal) =>
    findByHint<ProjectKey>(value, (after) => http.json<Page>('GET', `${project}/api_keys?${new URLSearchParams({ limit: '100', ...(after ? { after } : {}) })}`, undefined, signal), (k) => k.redacted_value, `project ${cfg.project}`);
  return {
    kind: 'openai-admin',
    can: { mint: true, retire: true, unretire: false },
    async mint(name, signal, opts) {
      const policyTtl = cfg.expiresIn ? Math.floor(durationMs(cfg.expiresIn) / 1000) : undefined;
      // the shorter of the lease's ttl and the policy's expiresIn (the API: 1 s to 1 year)
      const ttl = opts?.ttlSeconds !== undefined ? Math.max(1, Math.min(opts.ttlSeconds, policyTtl ?? 31_536_000)) : policyTtl;
      const body = { name, ...(ttl !== undefined ? { expires_in_seconds: ttl } : {}) };
      const k = await http.json<{ id: string; value: string; expires_at?: number | null }>('POST', `${project}/service_accounts/${encodeURIComponent(cfg.serviceAccount)}/api_keys`, body, signal);
      if (typeof k?.value !== 'string' || !k.value) throw new BackendError('ISSUER_FAILED', 'the OpenAI Admin API created a key but returned no value');
      return { value: SecretValue.of(k.value), id: k.id, ...(k.expires_at ? { expiresAt: new Date(k.expires_at * 1000).toISOString() } : {}) };
    },
    async find(value, signal) {
      const k = await find(value, signal);
      return k ? { id: k.id, status: 'active' } : null;
    },
    async retire(value, signal) {
      const k = await find(value, signal);
      if (!k) return { id: 'unknown', status: 'deleted' }; // already gone: retiring again is a no-op
      await http.json('DELETE', `${project}/api_keys/${encodeURIComponent(k.id)}`, undefined, signal);
      return { id: k.id, status: 'deleted' };
    },
  };
}
