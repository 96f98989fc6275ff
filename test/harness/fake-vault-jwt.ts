/**
 * JWT auth and ACL policies for the loopback Vault (fake-vault.ts), as the official API docs
 * describe them (developer.hashicorp.com/vault/api-docs/auth/jwt, system/policies):
 *  - POST sys/policies/acl/:name {policy: HCL}: `path "<glob>" { capabilities = [...] }` blocks.
 *  - POST auth/jwt/config {jwks_url | jwt_validation_pubkeys, bound_issuer}.
 *  - POST auth/jwt/role/:name: role_type jwt, bound_audiences, bound_subject, bound_claims with
 *    bound_claims_type string (exact; a list = any of) or glob, user_claim (required),
 *    token_policies, token_ttl.
 *  - POST auth/jwt/login {role, jwt}: RS256 signature against the JWKS (fetched from jwks_url,
 *    key by kid) or the PEM keys; iss = bound_issuer; exp/nbf (60 s leeway, as Vault's default);
 *    aud must be one of bound_audiences (Vault ≥ 1.17 refuses a token with aud when the role has
 *    none); sub = bound_subject; every bound claim matches; the user_claim exists. A refusal is
 *    400 {"errors": [why]}. Success: a token with the role's token_policies and token_ttl.
 * Configuration routes need a root token (the caller checks).
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';

export type Capability = 'create' | 'read' | 'update' | 'delete' | 'list';
export type AclPolicy = Record<string, Capability[]>;

interface JwtRole {
  bound_audiences?: string[];
  bound_subject?: string;
  bound_claims?: Record<string, string | string[]>;
  bound_claims_type?: 'string' | 'glob';
  user_claim: string;
  token_policies?: string[];
  token_ttl?: string | number;
}

export interface JwtAuth {
  /** a configuration route (root token) or login: an answer, or null when the path is not ours */
  handle(method: string, path: string, body: Record<string, unknown>): Promise<{ status: number; body?: unknown } | null>;
  isConfigRoute(path: string): boolean;
}

const seconds = (ttl: string | number | undefined): number => {
  if (ttl === undefined || ttl === '') return 3600;
  if (typeof ttl === 'number') return ttl;
  const m = /^(\d+)([smhd]?)$/.exec(ttl);
  if (!m) return 3600;
  return Number(m[1]) * ({ '': 1, s: 1, m: 60, h: 3600, d: 86400 } as const)[m[2] as '' | 's' | 'm' | 'h' | 'd'];
};

/** `path "x" { capabilities = ["read", …] }` blocks of an HCL policy */
export function parseHclPolicy(hcl: string): AclPolicy {
  const out: AclPolicy = {};
  for (const m of hcl.matchAll(/path\s+"([^"]+)"\s*\{\s*capabilities\s*=\s*\[([^\]]*)\]\s*\}/g)) {
    out[m[1]!] = [...m[2]!.matchAll(/"([a-z]+)"/g)].map((c) => c[1] as Capability);
  }
  return out;
}

const b64json = (s: string) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Record<string, unknown>;
const globToRe = (g: string) => new RegExp(`^${g.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);

export function createJwtAuth(o: { issueToken(policy: AclPolicy, ttlSeconds: number): string }): JwtAuth {
  const policies = new Map<string, AclPolicy>();
  const roles = new Map<string, JwtRole>();
  let config: { jwksUrl?: string; pems: string[]; boundIssuer?: string } | null = null;

  const keys = async (kid: string | undefined): Promise<KeyObject[]> => {
    if (!config) return [];
    const out = config.pems.map((p) => createPublicKey(p));
    if (config.jwksUrl) {
      const jwks = (await (await fetch(config.jwksUrl)).json()) as { keys: (Record<string, unknown> & { kid?: string })[] };
      for (const k of jwks.keys) if (kid === undefined || k.kid === kid) out.push(createPublicKey({ key: k as never, format: 'jwk' }));
    }
    return out;
  };

  const login = async (body: Record<string, unknown>) => {
    const refuse = (why: string) => ({ status: 400, body: { errors: [why] } });
    const role = roles.get(String(body.role ?? ''));
    if (!role) return refuse(`role "${String(body.role)}" could not be found`);
    if (!config) return refuse('could not load configuration');
    const parts = String(body.jwt ?? '').split('.');
    if (parts.length !== 3) return refuse('error validating token: malformed token');
    const header = b64json(parts[0]!);
    if (header.alg !== 'RS256') return refuse('error validating token: unsupported signing algorithm');
    const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
    const sig = Buffer.from(parts[2]!, 'base64url');
    const ok = (await keys(header.kid as string | undefined)).some((k) => verify('RSA-SHA256', signed, k, sig));
    if (!ok) return refuse('error validating token: failed to verify id token signature');
    const c = b64json(parts[1]!);
    const now = Math.floor(Date.now() / 1000);
    if (config.boundIssuer && c.iss !== config.boundIssuer) return refuse('error validating token: invalid issuer (iss) claim');
    if (typeof c.exp !== 'number' || c.exp + 60 < now) return refuse('error validating token: token is expired (exp)');
    if (typeof c.nbf === 'number' && c.nbf - 60 > now) return refuse('error validating token: token not valid yet (nbf)');
    const aud = Array.isArray(c.aud) ? c.aud : c.aud === undefined ? [] : [c.aud];
    if (aud.length && !role.bound_audiences?.length) return refuse('error validating token: audience claim found in JWT but no audiences bound to the role');
    if (role.bound_audiences?.length && !aud.some((a) => role.bound_audiences!.includes(String(a)))) return refuse('error validating token: invalid audience (aud) claim: audience claim does not match any expected audience');
    if (role.bound_subject && c.sub !== role.bound_subject) return refuse('sub claim does not match bound subject');
    for (const [k, want] of Object.entries(role.bound_claims ?? {})) {
      const allowed = Array.isArray(want) ? want : [want];
      const got = c[k];
      const match = (v: unknown) => typeof v === 'string' && allowed.some((w) => (role.bound_claims_type === 'glob' ? globToRe(w).test(v) : w === v));
      if (!(Array.isArray(got) ? got.some(match) : match(got))) return refuse(`claim "${k}" does not match any associated bound claim values`);
    }
    if (c[role.user_claim] === undefined) return refuse(`claim "${role.user_claim}" not found in token`);
    const merged: AclPolicy = {};
    for (const p of role.token_policies ?? []) Object.assign(merged, policies.get(p) ?? {});
    const ttl = seconds(role.token_ttl);
    return { status: 200, body: { auth: { client_token: o.issueToken(merged, ttl), lease_duration: ttl, renewable: true, policies: role.token_policies ?? [], metadata: { role: String(body.role) } } } };
  };

  return {
    isConfigRoute: (path) => path.startsWith('sys/policies/acl/') || path === 'auth/jwt/config' || path.startsWith('auth/jwt/role/'),
    async handle(method, path, body) {
      if (path === 'auth/jwt/login' && method === 'POST') return login(body);
      if (method !== 'POST' && method !== 'PUT') return null;
      if (path.startsWith('sys/policies/acl/')) {
        policies.set(path.slice('sys/policies/acl/'.length), parseHclPolicy(String(body.policy ?? '')));
        return { status: 204 };
      }
      if (path === 'auth/jwt/config') {
        const pems = Array.isArray(body.jwt_validation_pubkeys) ? (body.jwt_validation_pubkeys as string[]) : [];
        if (!body.jwks_url && pems.length === 0) return { status: 400, body: { errors: ['exactly one of jwks_url, jwt_validation_pubkeys or oidc_discovery_url must be set'] } };
        config = { pems, ...(typeof body.jwks_url === 'string' ? { jwksUrl: body.jwks_url } : {}), ...(typeof body.bound_issuer === 'string' ? { boundIssuer: body.bound_issuer } : {}) };
        return { status: 204 };
      }
      if (path.startsWith('auth/jwt/role/')) {
        if (body.role_type !== undefined && body.role_type !== 'jwt') return { status: 400, body: { errors: ['invalid role_type'] } };
        if (typeof body.user_claim !== 'string' || !body.user_claim) return { status: 400, body: { errors: ['a user claim must be defined on the role'] } };
        const bt = body.bound_claims_type ?? 'string';
        if (bt !== 'string' && bt !== 'glob') return { status: 400, body: { errors: ['invalid bound_claims_type'] } };
        const aud = body.bound_audiences;
        roles.set(path.slice('auth/jwt/role/'.length), { ...(body as unknown as JwtRole), bound_audiences: typeof aud === 'string' ? aud.split(',') : (aud as string[] | undefined) ?? [], bound_claims_type: bt });
        return { status: 204 };
      }
      return null;
    },
  };
}
