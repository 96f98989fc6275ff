/**
 * The HTTP the admin-API issuers share: JSON over fetch with the caller's signal and a timeout,
 * errors reduced to what an operator acts on (the admin key refused, a missing permission named,
 * the API down) and never echoing a key.
 */
import { BackendError } from '../../src/core/errors.js';
import type { SecretValue } from '../../src/core/secret-value.js';

export interface AdminHttp {
  json<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body: unknown, signal: AbortSignal): Promise<T>;
}

export function adminHttp(o: { baseUrl: string; headers: () => Promise<Record<string, string>>; timeoutMs: number; api: string; permissionHint: string }): AdminHttp {
  return {
    async json<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body: unknown, signal: AbortSignal): Promise<T> {
      const url = `${o.baseUrl.replace(/\/$/, '')}${path}`;
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers: { ...(await o.headers()), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          signal: AbortSignal.any([signal, AbortSignal.timeout(o.timeoutMs)]),
        });
      } catch (e) {
        throw new BackendError('ISSUER_UNREACHABLE', `${o.api} ${method} ${path}: ${(e as Error).name === 'TimeoutError' ? `no answer within ${o.timeoutMs} ms` : (e as Error).message}`, { retryable: true });
      }
      const text = await res.text();
      let parsed: unknown = null;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        parsed = null;
      }
      if (res.ok) return parsed as T;
      const err = (parsed as { error?: { type?: string; message?: string; code?: string | number } } | null)?.error;
      const what = `${o.api} ${method} ${path} answered ${res.status}${err?.type ? ` ${err.type}` : ''}${err?.message ? `: ${err.message.slice(0, 200)}` : ''}`;
      if (res.status === 401) throw new BackendError('ISSUER_AUTH', what, { hint: `the admin key was refused: check the key the policy's issuer names (adminKey), and that it is an admin key, not a model key` });
      if (res.status === 403) throw new BackendError('ISSUER_PERMISSION', what, { hint: o.permissionHint });
      if (res.status === 404) throw new BackendError('ISSUER_NOT_FOUND', what);
      throw new BackendError('ISSUER_FAILED', what, { retryable: res.status === 429 || res.status >= 500 });
    },
  };
}

/** a key matches a hint `<prefix>...<suffix>` or `<prefix>…<suffix>` (the only form in which admin APIs show keys) */
export function matchesHint(value: string, hint: string | undefined | null): boolean {
  if (!hint) return false;
  const m = /^(.*?)(\.\.\.|…)(.*)$/s.exec(hint);
  if (!m) return false;
  const [prefix, suffix] = [m[1]!, m[3]!];
  return prefix.length + suffix.length >= 8 && value.length > prefix.length + suffix.length && value.startsWith(prefix) && value.endsWith(suffix);
}

/**
 * The one key of a paged listing whose hint matches `value` (null: none). Two matches are refused:
 * changing the wrong key upstream is worse than changing none.
 */
export async function findByHint<K extends { id: string }>(
  value: SecretValue,
  listPage: (after: string | null) => Promise<{ data: K[]; has_more: boolean; last_id: string | null }>,
  hintOf: (k: K) => string | null | undefined,
  where: string,
): Promise<K | null> {
  const hits: K[] = [];
  let after: string | null = null;
  for (let page = 0; page < 1000; page++) {
    const p: { data: K[]; has_more: boolean; last_id: string | null } = await listPage(after);
    hits.push(...p.data.filter((k) => matchesHint(value.reveal(), hintOf(k))));
    if (!p.has_more || !p.last_id) break;
    after = p.last_id;
  }
  if (hits.length > 1) throw new BackendError('ISSUER_AMBIGUOUS', `${hits.length} keys of ${where} (${hits.map((k) => k.id).join(', ')}) show the same hint as ${value.fingerprint}: not changing any`, { hint: 'retire the right one by hand upstream' });
  return hits[0] ?? null;
}
