/**
 * A loopback HashiCorp Vault for the real node-vault client, implementing the HTTP API subset rekey
 * uses, per the official API docs:
 *  - GET  /v1/sys/mounts: every mount with `type` and `options.version` ("1" or "2" for kv)
 *  - POST /v1/auth/approle/login {role_id, secret_id}: `auth.client_token`
 *  - KV v2 at a mount M:
 *    GET    /v1/M/data/P[?version=N]   → {data: {data, metadata: {version, created_time, deletion_time, destroyed, custom_metadata}}}
 *    POST|PUT /v1/M/data/P {data, options: {cas}}: cas 0 = create only; a mismatch is
 *             400 {"errors": ["check-and-set parameter did not match the current version"]}
 *    GET    /v1/M/metadata/P           → {data: {current_version, oldest_version, versions, custom_metadata, …}}
 *    POST   /v1/M/metadata/P {custom_metadata}: 204
 *    DELETE /v1/M/metadata/P: every version and the metadata, 204
 *  - KV v1 at a mount: GET/POST /v1/M/P (no versions; `cas` is silently ignored, as Vault does)
 * Missing paths are 404 {"errors": []}; a missing or unknown X-Vault-Token is 403
 * {"errors": ["permission denied"]}; X-Vault-Namespace is recorded.
 * Fault injection: expire(token), failNext(n, status), kill()/revive().
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startLoopbackServer } from './loopback-server.js';

interface KvVersion {
  data: Record<string, unknown>;
  created: string;
  deleted: string;
  destroyed: boolean;
}
interface KvSecret {
  versions: Map<number, KvVersion>;
  current: number;
  custom: Record<string, string>;
}

export interface FakeVault {
  address: string;
  tokens: Set<string>;
  kv: Map<string, KvSecret>;
  namespaces: string[];
  calls: string[];
  addToken(t: string): void;
  expire(t: string): void;
  approle(roleId: string, secretId: string): void;
  failNext(n: number, status?: number): void;
  /** a writer other than rekey (an operator, another tool) */
  writeDirect(mount: string, path: string, data: Record<string, unknown>): void;
  kill(): Promise<void>;
  revive(): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeVault(opts: { mounts?: Record<string, '1' | '2'> } = {}): Promise<FakeVault> {
  const mounts = opts.mounts ?? { secret: '2', kv1: '1' };
  const tokens = new Set<string>();
  const roles = new Map<string, string>();
  const kv = new Map<string, KvSecret>();
  const v1 = new Map<string, Record<string, unknown>>();
  const namespaces: string[] = [];
  const calls: string[] = [];
  let failLeft = 0;
  let failStatus = 503;
  let tick = 0;
  const now = () => new Date(Date.UTC(2026, 10, 24, 0, 0, tick++)).toISOString();

  const kvWrite = (key: string, data: Record<string, unknown>, cas?: number) => {
    let s = kv.get(key);
    const current = s?.current ?? 0;
    if (cas !== undefined && cas !== current) return { error: 'check-and-set parameter did not match the current version' };
    if (!s) kv.set(key, (s = { versions: new Map(), current: 0, custom: {} }));
    s.current = current + 1;
    s.versions.set(s.current, { data, created: now(), deleted: '', destroyed: false });
    return { version: s.current, s };
  };


  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://x');
    const path = decodeURIComponent(url.pathname.replace(/^\/v1\//, ''));
    const method = req.method ?? 'GET';
    calls.push(`${method} ${path}`);
    const ns = req.headers['x-vault-namespace'];
    if (typeof ns === 'string') namespaces.push(ns);
    const send = (status: number, body?: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
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
    if (path === 'auth/approle/login' && method === 'POST') {
      if (roles.get(body.role_id) !== body.secret_id) return send(400, { errors: ['invalid role or secret ID'] });
      const t = `hvs.approle-${tokens.size}-${Math.random().toString(36).slice(2)}`;
      tokens.add(t);
      return send(200, { auth: { client_token: t, lease_duration: 3600, renewable: true, policies: ['rekey'] } });
    }
    const token = req.headers['x-vault-token'];
    if (typeof token !== 'string' || !tokens.has(token)) return send(403, { errors: ['permission denied'] });
    if (path === 'sys/mounts' && method === 'GET') {
      const data = Object.fromEntries(Object.entries(mounts).map(([m, v]) => [`${m}/`, { type: 'kv', options: { version: v }, description: '' }]));
      return send(200, { ...data, data });
    }
    const [mount, ...rest] = path.split('/');
    const version = mount ? mounts[mount] : undefined;
    if (!version) return send(404, { errors: [`no handler for route "${path}"`] });
    if (version === '1') {
      const key = `${mount}/${rest.join('/')}`;
      if (method === 'GET') return v1.has(key) ? send(200, { data: v1.get(key) }) : send(404, { errors: [] });
      v1.set(key, (body.data as Record<string, unknown>) ?? body);
      return send(204);
    }
    const kind = rest[0];
    const key = `${mount}/${rest.slice(1).join('/')}`;
    const s = kv.get(key);
    if (kind === 'data') {
      if (method === 'GET') {
        const n = url.searchParams.has('version') ? Number(url.searchParams.get('version')) : (s?.current ?? 0);
        const v = s?.versions.get(n);
        if (!s || !v || v.deleted || v.destroyed) return send(404, { errors: [] });
        return send(200, { data: { data: v.data, metadata: { version: n, created_time: v.created, deletion_time: '', destroyed: false, custom_metadata: s.custom } } });
      }
      if (method === 'POST' || method === 'PUT') {
        const r = kvWrite(key, (body.data as Record<string, unknown>) ?? {}, body.options?.cas);
        if ('error' in r) return send(400, { errors: [r.error] });
        return send(200, { data: { version: r.version, created_time: r.s.versions.get(r.version)!.created, deletion_time: '', destroyed: false, custom_metadata: r.s.custom } });
      }
    }
    if (kind === 'metadata') {
      if (method === 'GET') {
        if (!s) return send(404, { errors: [] });
        const versions = Object.fromEntries([...s.versions].map(([n, v]) => [String(n), { created_time: v.created, deletion_time: v.deleted, destroyed: v.destroyed }]));
        return send(200, { data: { current_version: s.current, oldest_version: Math.min(...s.versions.keys()), versions, custom_metadata: s.custom, cas_required: false, max_versions: 0 } });
      }
      if (method === 'POST' || method === 'PUT') {
        const t = s ?? { versions: new Map(), current: 0, custom: {} };
        if (!s) kv.set(key, t);
        if (body.custom_metadata) t.custom = body.custom_metadata as Record<string, string>;
        return send(204);
      }
      if (method === 'DELETE') {
        kv.delete(key);
        return send(204);
      }
    }
    return send(405, { errors: ['unsupported'] });
  }

  const server = await startLoopbackServer((req, res) => void handle(req, res), 0);
  return {
    address: server.url,
    tokens,
    kv,
    namespaces,
    calls,
    addToken: (t) => void tokens.add(t),
    expire: (t) => void tokens.delete(t),
    approle: (r, s) => void roles.set(r, s),
    failNext: (n, status = 503) => {
      failLeft = n;
      failStatus = status;
    },
    writeDirect: (mount, path, data) => void kvWrite(`${mount}/${path}`, data),
    kill: server.kill,
    revive: server.revive,
    close: server.close,
  };
}
