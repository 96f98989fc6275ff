/**
 * Loopback stand-ins for the documented subsets of two provider admin APIs, strict like the real
 * ones, for the issuer adapters' tests.
 *
 * Anthropic Admin API (platform.claude.com/docs/en/api/admin/api_keys): GET
 * /v1/organizations/api_keys (limit 1–1000, default 20; after_id / before_id; status filter;
 * `{data, has_more, first_id, last_id}`), GET and POST /v1/organizations/api_keys/{id} (body
 * `{name?, status?}`, status ∈ active|inactive|archived; an archived key cannot change). Needs
 * `x-api-key` (an admin key: 401 authentication_error otherwise) and `anthropic-version` (400
 * invalid_request_error without it); errors are `{type: "error", error: {type, message}}`. Keys
 * show as `partial_key_hint` (first 16 and last 4 characters). No endpoint creates a key.
 *
 * OpenAI Admin API (platform.openai.com/docs/api-reference/project-api-keys, …/service-accounts):
 * POST /v1/organization/projects/{p}/service_accounts/{sa}/api_keys (`{name?,
 * expires_in_seconds? (1–31536000)}` → the unredacted key once), GET
 * /v1/organization/projects/{p}/api_keys (limit 1–100, default 20; after; `{object: "list",
 * data, first_id, last_id, has_more}` with `redacted_value`), DELETE
 * /v1/organization/projects/{p}/api_keys/{id}. `Authorization: Bearer <admin key>`; errors
 * `{error: {message, type, param, code}}`.
 *
 * Both share state with a model API through `onChange(value, active)`: a key retired here (or,
 * OpenAI, past its `expires_in_seconds`) is refused there. `readOnly` admin keys get 403 on writes; `down(n)` answers the next n requests
 * with the API's overload error.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startLoopbackServer, type LoopbackServer } from './loopback-server.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const send = (res: ServerResponse, status: number, body: unknown) => {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
};
const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let b = '';
    req.on('data', (c) => (b += c));
    req.on('end', () => resolve(b));
  });

/** the request's URL, logged, and its body; `overloaded` answers instead while an outage lasts */
async function intake(req: IncomingMessage, requests: string[], outage: { left: number }, overloaded: () => void): Promise<{ u: URL; body: string } | null> {
  const u = new URL(req.url ?? '/', 'http://x');
  requests.push(`${req.method} ${u.pathname}${u.search}`);
  const body = await readBody(req);
  if (outage.left > 0) {
    outage.left--;
    overloaded();
    return null;
  }
  return { u, body };
}

function page<T extends { id: string }>(all: T[], limit: number, after: string | null, before: string | null) {
  let start = 0;
  let end = all.length;
  if (after) start = all.findIndex((k) => k.id === after) + 1;
  if (before) end = Math.max(0, all.findIndex((k) => k.id === before));
  const data = before ? all.slice(Math.max(start, end - limit), end) : all.slice(start, start + limit);
  const hasMore = before ? end - limit > start : start + limit < end;
  return { data, has_more: hasMore, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
}

export interface FakeAnthropicAdmin {
  url: string;
  /** a key created in the Console (active): its id */
  addKey(value: string, name?: string): string;
  status(id: string): string | undefined;
  requests: string[];
  down(n: number): void;
  close(): Promise<void>;
}

export async function startFakeAnthropicAdmin(o: { adminKeys: Record<string, 'admin' | 'readOnly'>; onChange?: (value: string, active: boolean) => void }): Promise<FakeAnthropicAdmin> {
  const keys: { id: string; value: string; name: string; status: 'active' | 'inactive' | 'archived'; created_at: string }[] = [];
  const requests: string[] = [];
  const outage = { left: 0 };
  const view = (k: (typeof keys)[number]) => ({
    id: k.id,
    type: 'api_key',
    name: k.name,
    created_at: k.created_at,
    created_by: { id: 'user_01console', type: 'user' },
    partial_key_hint: `${k.value.slice(0, 16)}...${k.value.slice(-4)}`,
    status: k.status,
    workspace_id: null,
  });
  const err = (res: ServerResponse, status: number, type: string, message: string) => send(res, status, { type: 'error', error: { type, message } });
  const handler: Handler = async (req, res) => {
    const got = await intake(req, requests, outage, () => err(res, 529, 'overloaded_error', 'Overloaded'));
    if (!got) return;
    const { u, body } = got;
    const role = o.adminKeys[String(req.headers['x-api-key'] ?? '')];
    if (!role) return err(res, 401, 'authentication_error', 'invalid x-api-key');
    if (!req.headers['anthropic-version']) return err(res, 400, 'invalid_request_error', 'anthropic-version: header is required');
    if (req.method === 'GET' && u.pathname === '/v1/organizations/api_keys') {
      const limit = Number(u.searchParams.get('limit') ?? '20');
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return err(res, 400, 'invalid_request_error', 'limit: must be between 1 and 1000');
      const status = u.searchParams.get('status');
      const list = keys.filter((k) => !status || k.status === status).map(view);
      return send(res, 200, page(list, limit, u.searchParams.get('after_id'), u.searchParams.get('before_id')));
    }
    const m = /^\/v1\/organizations\/api_keys\/([^/]+)$/.exec(u.pathname);
    const k = m ? keys.find((x) => x.id === decodeURIComponent(m[1]!)) : undefined;
    if (m && !k) return err(res, 404, 'not_found_error', 'API key not found');
    if (m && req.method === 'GET') return send(res, 200, view(k!));
    if (m && req.method === 'POST') {
      if (role !== 'admin') return err(res, 403, 'permission_error', 'Your API key does not have permission to update API keys');
      let b: { name?: unknown; status?: unknown };
      try {
        b = JSON.parse(body || '{}');
      } catch {
        return err(res, 400, 'invalid_request_error', 'body: invalid JSON');
      }
      const extra = Object.keys(b).filter((x) => x !== 'name' && x !== 'status');
      if (extra.length) return err(res, 400, 'invalid_request_error', `${extra[0]}: Extra inputs are not permitted`);
      if (b.status !== undefined && !['active', 'inactive', 'archived'].includes(String(b.status))) return err(res, 400, 'invalid_request_error', 'status: must be active, inactive or archived');
      if (k!.status === 'archived' && b.status !== undefined && b.status !== 'archived') return err(res, 400, 'invalid_request_error', 'an archived API key cannot be changed');
      if (typeof b.name === 'string') k!.name = b.name;
      if (b.status !== undefined && b.status !== k!.status) {
        k!.status = b.status as 'active';
        o.onChange?.(k!.value, k!.status === 'active');
      }
      return send(res, 200, view(k!));
    }
    return err(res, 404, 'not_found_error', `${req.method} ${u.pathname} not found`);
  };
  const server: LoopbackServer = await startLoopbackServer(handler as never);
  return {
    url: server.url,
    requests,
    addKey(value, name = 'console key') {
      const id = `apikey_01${randomBytes(10).toString('hex')}`;
      keys.push({ id, value, name, status: 'active', created_at: new Date().toISOString() });
      o.onChange?.(value, true);
      return id;
    },
    status: (id) => keys.find((k) => k.id === id)?.status,
    down: (n) => void (outage.left = n),
    close: () => server.close(),
  };
}

export interface FakeOpenaiAdmin {
  url: string;
  /** keys of the project, by value: active until deleted */
  active: Set<string>;
  /** every key minted, with its value (the test's own view: the API shows it once) */
  minted: { id: string; name: string; expiresInSeconds: number | null; value: string }[];
  addKey(value: string): string;
  requests: string[];
  down(n: number): void;
  close(): Promise<void>;
}

export async function startFakeOpenaiAdmin(o: { project: string; serviceAccount: string; adminKeys: Record<string, 'admin' | 'readOnly'>; onChange?: (value: string, active: boolean) => void }): Promise<FakeOpenaiAdmin> {
  const keys: { id: string; value: string; name: string; created_at: number }[] = [];
  const minted: FakeOpenaiAdmin['minted'] = [];
  const active = new Set<string>();
  const requests: string[] = [];
  const outage = { left: 0 };
  const err = (res: ServerResponse, status: number, type: string, message: string, code: string | null = null) => send(res, status, { error: { message, type, param: null, code } });
  const add = (value: string, name: string) => {
    const id = `key_${randomBytes(8).toString('hex')}`;
    keys.push({ id, value, name, created_at: Math.floor(Date.now() / 1000) });
    active.add(value);
    o.onChange?.(value, true);
    return id;
  };
  const view = (k: (typeof keys)[number]) => ({
    object: 'organization.project.api_key',
    redacted_value: `${k.value.slice(0, 8)}...${k.value.slice(-4)}`,
    name: k.name,
    created_at: k.created_at,
    last_used_at: null,
    id: k.id,
    owner: { type: 'service_account', service_account: { object: 'organization.project.service_account', id: o.serviceAccount, name: 'rekey', role: 'member', created_at: 0 } },
  });
  const handler: Handler = async (req, res) => {
    const got = await intake(req, requests, outage, () => err(res, 503, 'server_error', 'The server is overloaded or not ready yet.'));
    if (!got) return;
    const { u, body } = got;
    const auth = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''));
    const role = auth ? o.adminKeys[auth[1]!] : undefined;
    if (!role) return err(res, 401, 'invalid_request_error', 'Incorrect API key provided.', 'invalid_api_key');
    const base = `/v1/organization/projects/${o.project}`;
    if (!u.pathname.startsWith(`${base}/`)) return err(res, 404, 'invalid_request_error', `No such project or route: ${u.pathname}`);
    if (req.method !== 'GET' && role !== 'admin') return err(res, 403, 'invalid_request_error', 'You have insufficient permissions for this operation. Missing scopes: api.management.write.', 'insufficient_permissions');
    if (req.method === 'POST' && u.pathname === `${base}/service_accounts/${o.serviceAccount}/api_keys`) {
      let b: { name?: unknown; expires_in_seconds?: unknown; scopes?: unknown };
      try {
        b = JSON.parse(body || '{}');
      } catch {
        return err(res, 400, 'invalid_request_error', 'We could not parse the JSON body of your request.');
      }
      const exp = b.expires_in_seconds;
      if (exp !== undefined && exp !== null && (!Number.isInteger(exp) || (exp as number) < 1 || (exp as number) > 31_536_000)) return err(res, 400, 'invalid_request_error', 'expires_in_seconds must be between 1 and 31536000');
      const value = `sk-svcacct-${randomBytes(24).toString('base64url')}`;
      const name = typeof b.name === 'string' ? b.name : 'Secret Key';
      const id = add(value, name);
      minted.push({ id, name, expiresInSeconds: (exp as number | undefined) ?? null, value });
      // an expired key stays listed (until deleted) but the model API refuses it (a timer: expiries
      // past setTimeout's range, ~24 days, never come within a test)
      if (typeof exp === 'number' && exp * 1000 < 2 ** 31 - 1) {
        setTimeout(() => {
          if (active.delete(value)) o.onChange?.(value, false);
        }, exp * 1000).unref();
      }
      const created = Math.floor(Date.now() / 1000);
      return send(res, 200, { object: 'organization.project.service_account.api_key', id, name, created_at: created, value, expires_at: exp ? created + (exp as number) : null });
    }
    if (req.method === 'GET' && u.pathname === `${base}/api_keys`) {
      const limit = Number(u.searchParams.get('limit') ?? '20');
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) return err(res, 400, 'invalid_request_error', 'limit must be between 1 and 100');
      return send(res, 200, { object: 'list', ...page(keys.map(view), limit, u.searchParams.get('after'), null) });
    }
    const m = new RegExp(`^${base}/api_keys/([^/]+)$`).exec(u.pathname);
    if (m && req.method === 'DELETE') {
      const i = keys.findIndex((k) => k.id === decodeURIComponent(m[1]!));
      if (i < 0) return err(res, 404, 'invalid_request_error', `No such API key: ${m[1]}`);
      const [k] = keys.splice(i, 1);
      active.delete(k!.value);
      o.onChange?.(k!.value, false);
      return send(res, 200, { object: 'organization.project.api_key.deleted', id: k!.id, deleted: true });
    }
    return err(res, 404, 'invalid_request_error', `Invalid URL (${req.method} ${u.pathname})`);
  };
  const server = await startLoopbackServer(handler as never);
  return { url: server.url, active, minted, requests, addKey: (v) => add(v, 'dashboard key'), down: (n) => void (outage.left = n), close: () => server.close() };
}

export interface FakeOpenrouterAdmin {
  url: string;
  /** keys the completion API accepts now (created, not disabled, not expired) */
  active: Set<string>;
  minted: { hash: string; name: string; limit: number | null; expiresAt: string | null }[];
  /** a key created in the dashboard: its hash */
  addKey(value: string, name?: string): string;
  disabled(hash: string): boolean | undefined;
  requests: string[];
  down(n: number): void;
  close(): Promise<void>;
}

/**
 * OpenRouter key management (openrouter.ai/docs/features/provisioning-api-keys and the API
 * reference, "API Keys"): `Authorization: Bearer <management key>` (401 `{error: {code, message}}`
 * for another key; a regular API key is refused with 401 too); POST /api/v1/keys (`{name (required),
 * limit?, expires_at? (ISO 8601, in the future)}` → 201 `{data, key}`, the key shown once); GET
 * /api/v1/keys (`offset`, `include_disabled`; 100 a page, newest first: `{data}`); GET and PATCH
 * /api/v1/keys/{hash} (`{name?, disabled?, limit?}` → `{data}`); DELETE /api/v1/keys/{hash}
 * (`{deleted: true}`). A key shows as `label` `sk-or-v1-<3>...<4>`. `readOnly` keys here stand for a
 * management key of another account's scope: 403 on writes.
 */
export async function startFakeOpenrouterAdmin(o: { managementKeys: Record<string, 'admin' | 'readOnly'>; onChange?: (value: string, active: boolean) => void }): Promise<FakeOpenrouterAdmin> {
  const keys: { hash: string; value: string; name: string; disabled: boolean; limit: number | null; expires_at: string | null; created_at: string }[] = [];
  const minted: FakeOpenrouterAdmin['minted'] = [];
  const active = new Set<string>();
  const requests: string[] = [];
  const outage = { left: 0 };
  const err = (res: ServerResponse, status: number, message: string) => send(res, status, { error: { code: status, message } });
  const sync = (k: (typeof keys)[number]) => {
    const on = !k.disabled && (!k.expires_at || Date.parse(k.expires_at) > Date.now());
    if (on !== active.has(k.value)) {
      if (on) active.add(k.value);
      else active.delete(k.value);
      o.onChange?.(k.value, on);
    }
  };
  const add = (value: string, name: string, limit: number | null = null, expires: string | null = null) => {
    const hash = createHash('sha256').update(value).digest('hex');
    const k = { hash, value, name, disabled: false, limit, expires_at: expires, created_at: new Date().toISOString() };
    keys.unshift(k); // newest first
    sync(k);
    return k;
  };
  const view = (k: (typeof keys)[number]) => ({
    hash: k.hash,
    name: k.name,
    label: `${k.value.slice(0, 12)}...${k.value.slice(-4)}`,
    disabled: k.disabled,
    limit: k.limit,
    limit_remaining: k.limit,
    usage: 0,
    created_at: k.created_at,
    updated_at: null,
    expires_at: k.expires_at,
  });
  const handler: Handler = async (req, res) => {
    const got = await intake(req, requests, outage, () => err(res, 502, 'Provider returned error'));
    if (!got) return;
    const { u, body } = got;
    const auth = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''));
    const role = auth ? o.managementKeys[auth[1]!] : undefined;
    if (!role) return err(res, 401, 'Invalid management key');
    if (req.method !== 'GET' && role !== 'admin') return err(res, 403, 'Forbidden: this key may not manage API keys');
    let b: Record<string, unknown> = {};
    if (body) {
      try {
        b = JSON.parse(body) as Record<string, unknown>;
      } catch {
        return err(res, 400, 'Invalid JSON body');
      }
    }
    if (u.pathname === '/api/v1/keys' && req.method === 'POST') {
      if (typeof b.name !== 'string' || !b.name) return err(res, 400, 'name: Required');
      if (b.limit !== undefined && (typeof b.limit !== 'number' || b.limit <= 0)) return err(res, 400, 'limit: must be a positive number');
      if (b.expires_at !== undefined && (typeof b.expires_at !== 'string' || Number.isNaN(Date.parse(b.expires_at)) || Date.parse(b.expires_at) <= Date.now())) return err(res, 400, 'expires_at: must be an ISO 8601 date in the future');
      const k = add(`sk-or-v1-${randomBytes(32).toString('hex')}`, b.name, (b.limit as number | undefined) ?? null, (b.expires_at as string | undefined) ?? null);
      minted.push({ hash: k.hash, name: k.name, limit: k.limit, expiresAt: k.expires_at });
      return send(res, 201, { data: view(k), key: k.value });
    }
    if (u.pathname === '/api/v1/keys' && req.method === 'GET') {
      const offset = Number(u.searchParams.get('offset') ?? '0');
      if (!Number.isInteger(offset) || offset < 0) return err(res, 400, 'offset: must be a non-negative integer');
      const all = keys.filter((k) => u.searchParams.get('include_disabled') === 'true' || !k.disabled);
      return send(res, 200, { data: all.slice(offset, offset + 100).map(view) });
    }
    const m = /^\/api\/v1\/keys\/([^/]+)$/.exec(u.pathname);
    const k = m ? keys.find((x) => x.hash === decodeURIComponent(m[1]!)) : undefined;
    if (m && !k) return err(res, 404, 'Key not found');
    if (k && req.method === 'GET') return send(res, 200, { data: view(k) });
    if (k && req.method === 'PATCH') {
      if (b.disabled !== undefined && typeof b.disabled !== 'boolean') return err(res, 400, 'disabled: must be a boolean');
      if (typeof b.disabled === 'boolean') k.disabled = b.disabled;
      if (typeof b.name === 'string') k.name = b.name;
      sync(k);
      return send(res, 200, { data: view(k) });
    }
    if (k && req.method === 'DELETE') {
      keys.splice(keys.indexOf(k), 1);
      if (active.delete(k.value)) o.onChange?.(k.value, false);
      return send(res, 200, { deleted: true });
    }
    return err(res, 404, `Not found: ${req.method} ${u.pathname}`);
  };
  const server = await startLoopbackServer(handler as never);
  return {
    url: server.url,
    active,
    minted,
    requests,
    addKey: (v, name = 'dashboard key') => add(v, name).hash,
    disabled: (hash) => keys.find((k) => k.hash === hash)?.disabled,
    down: (n) => void (outage.left = n),
    close: () => server.close(),
  };
}
