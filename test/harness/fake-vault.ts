/**
 * A loopback HashiCorp Vault for the real node-vault client. The HTTP API subset rekey uses, as the
 * official API docs describe it (developer.hashicorp.com/vault/api-docs: secret/kv/kv-v2,
 * system/internal-ui-mounts, system/mounts, auth/approle, auth/token), and as strict as Vault:
 *  - Tokens are checked on every request (403 {"errors": ["permission denied"]}) against a path
 *    ACL (policy rules: `path` globs with a trailing `*` (prefix) or `+` (one segment), and the
 *    capabilities create/read/update/delete/list). POST/PUT to a path that exists needs `update`,
 *    to one that does not `create`. A token without a policy is a root token. Every token may use
 *    auth/token/lookup-self, renew-self and revoke-self (Vault's default policy).
 *  - Namespaces (Enterprise): each namespace has its own tokens, AppRoles and KV data; a request's
 *    X-Vault-Namespace must be the namespace its token was issued in (else 403).
 *  - GET sys/mounts: needs `read` on sys/mounts. GET sys/internal/ui/mounts/<path>: the mount that
 *    holds <path> (longest prefix; mount paths may contain slashes), for a token with any
 *    capability under that mount; 403 otherwise and for a path under no mount.
 *  - POST auth/approle/login {role_id, secret_id}: a token with the role's policy and TTL
 *    (`lease_duration`, renewable); it stops working after the TTL (the fake's clock: `advance`).
 *  - KV v2 at a mount M:
 *    GET    M/data/P[?version=N]: 404 for a missing, deleted or destroyed version
 *    POST|PUT M/data/P {data, options: {cas}}: cas 0 = create only; a mismatch is 400
 *             "check-and-set parameter did not match the current version"; with cas_required (the
 *             mount's config or the secret's metadata) a write without cas is 400 "check-and-set
 *             parameter required for this call"; versions beyond max_versions are removed
 *    GET    M/metadata/P: current_version, oldest_version, versions, custom_metadata (null when
 *             never set), cas_required, max_versions
 *    POST   M/metadata/P {custom_metadata (replaces the whole map), max_versions, cas_required}: 204
 *    DELETE M/metadata/P: every version and the metadata, 204
 *  - KV v1 at a mount: GET/POST M/P (no versions; `cas` is silently ignored, as Vault does)
 *  - JWT auth (auth/jwt/config, role, login) and ACL policies (sys/policies/acl): fake-vault-jwt.ts
 * Missing paths are 404 {"errors": []}. Fault injection: expire(token), failNext(n, status),
 * stallNext(n) (no answer), kill()/revive(). HTTPS with a given key and certificate (`tls`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startLoopbackServer } from './loopback-server.js';
import { createJwtAuth, type AclPolicy, type Capability } from './fake-vault-jwt.js';

export type { AclPolicy, Capability };

interface KvVersion {
  data: Record<string, unknown>;
  created: string;
  deleted: string;
  destroyed: boolean;
}
interface KvSecret {
  versions: Map<number, KvVersion>;
  current: number;
  custom: Record<string, string> | null;
  casRequired: boolean;
  maxVersions: number;
}
interface TokenInfo {
  ns: string;
  policy?: AclPolicy;
  /** fake-clock second when it stops working; absent = never */
  expiresAt?: number;
  ttl?: number;
}
export interface MountSpec {
  version: '1' | '2';
  casRequired?: boolean;
  maxVersions?: number;
}

export interface FakeVault {
  address: string;
  /** KV v2 data of the root namespace, `<mount>/<path>` → secret (other namespaces: kvIn) */
  kv: Map<string, KvSecret>;
  kvIn(ns: string): Map<string, KvSecret>;
  namespaces: string[];
  calls: string[];
  /** tokens revoked through revoke-self, renewals through renew-self */
  revoked: string[];
  renewed: string[];
  addToken(t: string, opts?: { ns?: string; policy?: AclPolicy }): void;
  expire(t: string): void;
  approle(roleId: string, secretId: string, opts?: { ns?: string; policy?: AclPolicy; ttl?: number }): void;
  /** move the fake's clock (token TTLs) */
  advance(seconds: number): void;
  /** tokens that work now */
  liveTokens(): string[];
  failNext(n: number, status?: number): void;
  /** the next n requests get no answer at all (a hung server) */
  stallNext(n: number): void;
  /** the next request to `path` is answered 200 with `body` (a proxy or another engine answering) */
  answerOnce(path: string, body: unknown): void;
  /** a writer other than rekey (an operator, another tool) */
  writeDirect(mount: string, path: string, data: Record<string, unknown>, ns?: string): void;
  kill(): Promise<void>;
  revive(): Promise<void>;
  close(): Promise<void>;
}

/** Vault's policy glob: `*` at the end is a prefix match, `+` matches one path segment. */
function globMatch(glob: string, path: string): boolean {
  const prefix = glob.endsWith('*');
  const g = (prefix ? glob.slice(0, -1) : glob).split('/');
  const p = path.split('/');
  if (!prefix && g.length !== p.length) return false;
  for (let i = 0; i < g.length; i++) {
    const last = i === g.length - 1;
    if (p[i] === undefined) return false;
    if (g[i] === '+') continue;
    if (last && prefix ? !p[i]!.startsWith(g[i]!) : g[i] !== p[i]) return false;
  }
  return true;
}

export async function startFakeVault(
  opts: { mounts?: Record<string, '1' | '2' | MountSpec>; tls?: { key: string | Buffer; cert: string | Buffer }; /** false: a Vault older than sys/internal/ui/mounts/<path> (404) */ internalUi?: boolean } = {},
): Promise<FakeVault> {
  const mounts = new Map(Object.entries(opts.mounts ?? { secret: '2', kv1: '1' }).map(([m, v]) => [m, typeof v === 'string' ? { version: v } : v]));
  const tokens = new Map<string, TokenInfo>();
  const roles = new Map<string, { secretId: string; ns: string; policy?: AclPolicy; ttl: number }>();
  const stores = new Map<string, Map<string, KvSecret>>();
  const kvIn = (ns: string) => {
    let s = stores.get(ns);
    if (!s) stores.set(ns, (s = new Map()));
    return s;
  };
  const v1 = new Map<string, Record<string, unknown>>();
  const namespaces: string[] = [];
  const calls: string[] = [];
  const revoked: string[] = [];
  const renewed: string[] = [];
  let failLeft = 0;
  let stallLeft = 0;
  const canned = new Map<string, unknown>();
  let failStatus = 503;
  let tick = 0;
  let clock = 0;
  const now = () => new Date(Date.UTC(2026, 10, 24, 0, 0, tick++)).toISOString();
  const live = (t: string) => {
    const i = tokens.get(t);
    return i && (i.expiresAt === undefined || clock < i.expiresAt) ? i : undefined;
  };
  const jwt = createJwtAuth({
    issueToken: (policy, ttl) => {
      const t = `hvs.jwt-${tokens.size}-${Math.random().toString(36).slice(2)}`;
      tokens.set(t, { ns: '', policy, expiresAt: clock + ttl, ttl });
      return t;
    },
  });
  const mountOf = (path: string): string | undefined =>
    [...mounts.keys()].filter((m) => path === m || path.startsWith(`${m}/`)).sort((a, b) => b.length - a.length)[0];
  const allowed = (i: TokenInfo, path: string, cap: Capability) => !i.policy || Object.entries(i.policy).some(([g, caps]) => caps.includes(cap) && globMatch(g, path));
  const anyUnder = (i: TokenInfo, mount: string) => !i.policy || Object.entries(i.policy).some(([g, caps]) => caps.length > 0 && (g.startsWith(`${mount}/`) || globMatch(g, `${mount}/`)));

  const kvWrite = (store: Map<string, KvSecret>, key: string, data: Record<string, unknown>, cas: number | undefined, mountCfg: MountSpec) => {
    let s = store.get(key);
    const current = s?.current ?? 0;
    if (cas === undefined && (mountCfg.casRequired || s?.casRequired)) return { error: 'check-and-set parameter required for this call' };
    if (cas !== undefined && cas !== current) return { error: 'check-and-set parameter did not match the current version' };
    if (!s) store.set(key, (s = { versions: new Map(), current: 0, custom: null, casRequired: false, maxVersions: 0 }));
    s.current = current + 1;
    s.versions.set(s.current, { data, created: now(), deleted: '', destroyed: false });
    const max = s.maxVersions || mountCfg.maxVersions || 0;
    if (max > 0) for (const n of [...s.versions.keys()]) if (n <= s.current - max) s.versions.delete(n);
    return { version: s.current, s };
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://x');
    const path = decodeURIComponent(url.pathname.replace(/^\/v1\//, ''));
    const method = req.method ?? 'GET';
    calls.push(`${method} ${path}`);
    const nsHeader = req.headers['x-vault-namespace'];
    const ns = typeof nsHeader === 'string' ? nsHeader.replace(/\/$/, '') : '';
    if (ns) namespaces.push(ns);
    const send = (status: number, body?: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    const denied = () => send(403, { errors: ['permission denied'] });
    if (stallLeft > 0) {
      stallLeft--;
      return;
    }
    if (canned.has(path)) {
      const b = canned.get(path);
      canned.delete(path);
      return send(200, b);
    }
    if (failLeft > 0) {
      failLeft--;
      return send(failStatus, { errors: ['injected failure'] });
    }
    let body: Record<string, any> = {};
    try {
      body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
    } catch {
      return send(400, { errors: ['failed to parse JSON input'] });
    }
    // JWT auth (fake-vault-jwt.ts): login needs no token, its configuration a root token
    if (path === 'auth/jwt/login' || jwt.isConfigRoute(path)) {
      const tok = req.headers['x-vault-token'];
      const who = typeof tok === 'string' ? live(tok) : undefined;
      if (path !== 'auth/jwt/login' && (!who || who.policy)) return denied();
      const r = await jwt.handle(method, path, body);
      if (r) return send(r.status, r.body);
    }
    const loginMatch = /^auth\/([^/]+)\/login$/.exec(path);
    if (loginMatch && method === 'POST') {
      const role = roles.get(`${ns}\0${body.role_id}`);
      if (!role || role.secretId !== body.secret_id) return send(400, { errors: ['invalid role or secret ID'] });
      const t = `hvs.approle-${tokens.size}-${Math.random().toString(36).slice(2)}`;
      tokens.set(t, { ns, ...(role.policy ? { policy: role.policy } : {}), expiresAt: clock + role.ttl, ttl: role.ttl });
      return send(200, { auth: { client_token: t, lease_duration: role.ttl, renewable: true, policies: ['default', 'rekey'] } });
    }
    const token = req.headers['x-vault-token'];
    const info = typeof token === 'string' ? live(token) : undefined;
    if (!info || info.ns !== ns) return denied();
    if (path === 'auth/token/revoke-self' && method === 'POST') {
      tokens.delete(token as string);
      revoked.push(token as string);
      return send(204);
    }
    if (path === 'auth/token/renew-self' && method === 'POST') {
      renewed.push(token as string);
      if (info.ttl) info.expiresAt = clock + info.ttl;
      return send(200, { auth: { client_token: token, lease_duration: info.ttl ?? 0, renewable: info.ttl !== undefined } });
    }
    if (path === 'auth/token/lookup-self' && method === 'GET') return send(200, { data: { ttl: info.expiresAt === undefined ? 0 : info.expiresAt - clock, namespace_path: ns } });
    if (path === 'sys/mounts' && method === 'GET') {
      if (!allowed(info, 'sys/mounts', 'read')) return denied();
      const data = Object.fromEntries([...mounts].map(([m, v]) => [`${m}/`, { type: 'kv', options: { version: v.version }, description: '' }]));
      return send(200, { ...data, data });
    }
    if (path.startsWith('sys/internal/ui/mounts/') && method === 'GET' && opts.internalUi !== false) {
      const m = mountOf(path.slice('sys/internal/ui/mounts/'.length));
      if (!m || !anyUnder(info, m)) return denied();
      const v = mounts.get(m)!;
      return send(200, { data: { path: `${m}/`, type: 'kv', options: { version: v.version }, description: '', local: false, seal_wrap: false } });
    }
    const mount = mountOf(path);
    if (!mount) return send(404, { errors: [`no handler for route "${path}"`] });
    const mcfg = mounts.get(mount)!;
    const rest = path.slice(mount.length + 1).split('/');
    const store = kvIn(ns);
    if (mcfg.version === '1') {
      const key = path;
      if (method === 'GET') return allowed(info, path, 'read') ? (v1.has(key) ? send(200, { data: v1.get(key) }) : send(404, { errors: [] })) : denied();
      if (!allowed(info, path, v1.has(key) ? 'update' : 'create')) return denied();
      v1.set(key, (body.data as Record<string, unknown>) ?? body);
      return send(204);
    }
    const kind = rest[0];
    const key = `${mount}/${rest.slice(1).join('/')}`;
    const s = store.get(key);
    const need: Capability = method === 'GET' ? 'read' : method === 'DELETE' ? 'delete' : s ? 'update' : 'create';
    if (!allowed(info, path, need)) return denied();
    if (kind === 'data') {
      if (method === 'GET') {
        const n = url.searchParams.has('version') ? Number(url.searchParams.get('version')) : (s?.current ?? 0);
        const v = s?.versions.get(n);
        if (!s || !v || v.deleted || v.destroyed) return send(404, { errors: [] });
        return send(200, { data: { data: v.data, metadata: { version: n, created_time: v.created, deletion_time: '', destroyed: false, custom_metadata: s.custom } } });
      }
      if (method === 'POST' || method === 'PUT') {
        const r = kvWrite(store, key, (body.data as Record<string, unknown>) ?? {}, body.options?.cas, mcfg);
        if ('error' in r) return send(400, { errors: [r.error] });
        return send(200, { data: { version: r.version, created_time: r.s.versions.get(r.version)!.created, deletion_time: '', destroyed: false, custom_metadata: r.s.custom } });
      }
    }
    if (kind === 'metadata') {
      if (method === 'GET') {
        if (!s) return send(404, { errors: [] });
        const versions = Object.fromEntries([...s.versions].map(([n, v]) => [String(n), { created_time: v.created, deletion_time: v.deleted, destroyed: v.destroyed }]));
        return send(200, { data: { current_version: s.current, oldest_version: Math.min(...s.versions.keys()), versions, custom_metadata: s.custom, cas_required: s.casRequired, max_versions: s.maxVersions } });
      }
      if (method === 'POST' || method === 'PUT') {
        const t = s ?? { versions: new Map(), current: 0, custom: null, casRequired: false, maxVersions: 0 };
        if (!s) store.set(key, t);
        if (body.custom_metadata !== undefined) t.custom = body.custom_metadata as Record<string, string>;
        if (typeof body.max_versions === 'number') t.maxVersions = body.max_versions;
        if (typeof body.cas_required === 'boolean') t.casRequired = body.cas_required;
        return send(204);
      }
      if (method === 'DELETE') {
        store.delete(key);
        return send(204);
      }
    }
    return send(405, { errors: ['unsupported operation'] });
  }

  const server = await startLoopbackServer((req, res) => void handle(req, res), 0, opts.tls);
  return {
    address: server.url,
    kv: kvIn(''),
    kvIn,
    namespaces,
    calls,
    revoked,
    renewed,
    addToken: (t, o = {}) => void tokens.set(t, { ns: o.ns ?? '', ...(o.policy ? { policy: o.policy } : {}) }),
    expire: (t) => void tokens.delete(t),
    approle: (r, s, o = {}) => void roles.set(`${o.ns ?? ''}\0${r}`, { secretId: s, ns: o.ns ?? '', ...(o.policy ? { policy: o.policy } : {}), ttl: o.ttl ?? 3600 }),
    advance: (sec) => void (clock += sec),
    liveTokens: () => [...tokens.keys()].filter((t) => live(t)),
    stallNext: (n) => void (stallLeft = n),
    answerOnce: (path, body) => void canned.set(path, body),
    failNext: (n, status = 503) => {
      failLeft = n;
      failStatus = status;
    },
    writeDirect: (mount, path, data, ns = '') => void kvWrite(kvIn(ns), `${mount}/${path}`, data, undefined, { version: '2' }),
    kill: server.kill,
    revive: server.revive,
    close: server.close,
  };
}
