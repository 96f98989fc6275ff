/**
 * Does the provider accept this key? The cheapest authenticated call each provider documents that
 * spends no tokens: listing models (Anthropic GET /v1/models with x-api-key and anthropic-version;
 * OpenAI GET /v1/models and OpenRouter GET /api/v1/key with a bearer token; Gemini GET
 * /v1beta/models with x-goog-api-key). The key travels in a header only, never in the URL.
 * 429 and 5xx are not rejections: retried with backoff (honouring retry-after, capped), then
 * reported as unreachable. Only the provider's error *type/code* is kept, never its message (some
 * echo part of the key).
 */
import type { Clock, ProbeOutcome } from '../../src/core/ports.js';
import type { SecretValue } from '../../src/core/secret-value.js';

export interface ProviderProbe {
  /** `baseUrl`: the consumer's `models.providers.<p>.baseUrl`, or null for the provider's default */
  probe(provider: string, baseUrl: string | null, value: SecretValue, signal: AbortSignal): Promise<ProbeOutcome>;
}

interface Endpoint {
  defaultBase: string;
  url(base: string): string;
  headers(key: string): Record<string, string>;
}

const trim = (b: string) => b.replace(/\/+$/, '');
const ENDPOINTS: Record<string, Endpoint> = {
  anthropic: {
    defaultBase: 'https://api.anthropic.com',
    url: (b) => `${trim(b).replace(/\/v1$/, '')}/v1/models?limit=1`,
    headers: (k) => ({ 'x-api-key': k, 'anthropic-version': '2023-06-01' }),
  },
  openai: { defaultBase: 'https://api.openai.com/v1', url: (b) => `${trim(b)}/models`, headers: (k) => ({ authorization: `Bearer ${k}` }) },
  openrouter: { defaultBase: 'https://openrouter.ai/api/v1', url: (b) => `${trim(b)}/key`, headers: (k) => ({ authorization: `Bearer ${k}` }) },
  google: { defaultBase: 'https://generativelanguage.googleapis.com/v1beta', url: (b) => `${trim(b)}/models?pageSize=1`, headers: (k) => ({ 'x-goog-api-key': k }) },
};
ENDPOINTS.gemini = ENDPOINTS.google!;

export interface ProbeDeps {
  clock: Clock;
  fetch?: typeof fetch;
  /** attempts for 429/5xx/network errors (default 4) and the per-request timeout */
  attempts?: number;
  timeoutMs?: number;
}

/** the provider's error type or code from a JSON error body (never its message) */
function errorCode(body: string): string {
  try {
    const j = JSON.parse(body) as { error?: { type?: string; code?: string | number; status?: string } | string };
    if (typeof j.error === 'object' && j.error) return String(j.error.code ?? j.error.type ?? j.error.status ?? 'error');
    return 'error';
  } catch {
    return 'error';
  }
}

export function createProviderProbe(deps: ProbeDeps): ProviderProbe {
  const doFetch = deps.fetch ?? fetch;
  const attempts = deps.attempts ?? 4;
  const timeoutMs = deps.timeoutMs ?? 10_000;
  return {
    async probe(provider, baseUrl, value, signal) {
      const ep = ENDPOINTS[provider];
      if (!ep) return { result: 'unsupported', why: `no model-listing probe is known for provider "${provider}"` };
      const url = ep.url(baseUrl ?? ep.defaultBase);
      let why = '';
      for (let i = 0; i < attempts; i++) {
        if (i > 0) await deps.clock.sleep(Math.min(4_000, 250 * 2 ** i), signal);
        let res: Response;
        try {
          res = await doFetch(url, { method: 'GET', headers: { ...ep.headers(value.reveal()), accept: 'application/json' }, redirect: 'error', signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) });
        } catch (e) {
          if (signal.aborted) throw e;
          why = `${(e as Error).name}: ${((e as Error & { cause?: { code?: string } }).cause?.code ?? (e as Error).message).toString().slice(0, 120)}`;
          continue;
        }
        const body = await res.text().catch(() => '');
        if (res.ok) return { result: 'accepted', status: res.status, url };
        if (res.status === 401 || res.status === 403) return { result: 'refused', status: res.status, code: errorCode(body), url };
        if (res.status === 429 || res.status >= 500) {
          why = `HTTP ${res.status} ${errorCode(body)}`;
          const after = Number(res.headers.get('retry-after'));
          if (Number.isFinite(after) && after > 0) await deps.clock.sleep(Math.min(after * 1000, 5_000), signal);
          continue;
        }
        // another 4xx (a wrong base URL, a bad request): not an answer about the key
        return { result: 'unreachable', why: `HTTP ${res.status} ${errorCode(body)}`, url };
      }
      return { result: 'unreachable', why: `${why} after ${attempts} attempts`, url };
    },
  };
}
