import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { UsageError } from '../../src/core/errors.js';

/**
 * The HTTP transport handed to node-vault (its `request-promise` option): node:http(s) with
 * rekey's own TLS decision (never node-vault's reading of the raw VAULT_SKIP_VERIFY, where "false"
 * turns verification off), the policy's CA bundle, a per-request timeout, and the caller's
 * AbortSignal (node-vault's axios wrapper drops it). It answers in the shape node-vault expects:
 * { statusCode, body, request: { path } }.
 */
export interface VaultTransportOptions {
  verifyTls: boolean;
  ca?: Buffer;
  timeoutMs: number;
}

interface RequestOptions {
  method: string;
  uri: string;
  headers?: Record<string, string>;
  json?: unknown;
  signal?: AbortSignal;
}

export function vaultTransport(o: VaultTransportOptions) {
  type Answer = { statusCode: number; body: unknown; request: { path: string }; location?: string };
  /** a standby Vault without request forwarding answers 307 with the active node's address: followed (3 hops at most, https never downgraded) */
  const send = async (options: RequestOptions): Promise<Answer> => {
    let uri = options.uri;
    for (let hop = 0; ; hop++) {
      const r = await sendOnce({ ...options, uri });
      if ((r.statusCode !== 307 && r.statusCode !== 308) || !r.location || hop >= 3) return r;
      const next = new URL(r.location, uri);
      if (new URL(uri).protocol === 'https:' && next.protocol !== 'https:') return r;
      uri = next.href;
    }
  };
  const sendOnce = (options: RequestOptions) =>
    new Promise<Answer>((resolve, reject) => {
      const url = new URL(options.uri);
      const body = options.json !== undefined && typeof options.json === 'object' ? Buffer.from(JSON.stringify(options.json)) : undefined;
      const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
      if (body) {
        if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
        headers['content-length'] = String(body.length);
      }
      const timeout = AbortSignal.timeout(o.timeoutMs);
      const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
      const tls = url.protocol === 'https:';
      const onResponse = (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            // not JSON (a proxy's error page): node-vault reports the status
          }
          const location = res.headers.location;
          resolve({ statusCode: res.statusCode ?? 0, body: parsed, request: { path: url.pathname }, ...(location ? { location } : {}) });
        });
      };
      const req = tls
        ? httpsRequest(url, { method: options.method, headers, signal, rejectUnauthorized: o.verifyTls, ...(o.ca ? { ca: o.ca } : {}) }, onResponse)
        : httpRequest(url, { method: options.method, headers, signal }, onResponse);
      req.on('error', (e: NodeJS.ErrnoException) => {
        // an AbortSignal.timeout fires as an AbortError whose cause is the TimeoutError
        if (timeout.aborted && !options.signal?.aborted) reject(Object.assign(new Error(`no answer within ${o.timeoutMs} ms`), { code: 'ETIMEDOUT' }));
        else reject(e);
      });
      req.end(body);
    });
  return { defaults: () => send };
}

/** VAULT_SKIP_VERIFY as Vault's own CLI reads it (Go's strconv.ParseBool); anything else is an error. */
export function skipVerifyFrom(env: NodeJS.ProcessEnv): boolean {
  const v = env.VAULT_SKIP_VERIFY;
  if (v === undefined || v === '') return false;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  throw new UsageError('VAULT_SKIP_VERIFY_INVALID', `VAULT_SKIP_VERIFY=${v.slice(0, 20)} is not a boolean`, { hint: 'use true/1 (verification off) or false/0 (on), as the vault CLI accepts' });
}
