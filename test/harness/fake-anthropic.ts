/**
 * A loopback stand-in for the Anthropic Messages API (POST /v1/messages), for integration tests.
 *
 * It accepts only the API keys it is told to (`allow`), records the `x-api-key` of every request,
 * and answers like the real API: 401 `authentication_error` for any other key, a JSON message for
 * `stream: false`, and the documented SSE event sequence (message_start, content_block_start,
 * content_block_delta, content_block_stop, message_delta, message_stop) for `stream: true`.
 * Keys are recorded so a test can assert which credential a consumer really sent.
 *
 * Also the model listing, GET /v1/models (Anthropic API reference, "List Models"): it needs
 * `x-api-key` and `anthropic-version` headers (400 invalid_request_error without the version),
 * answers 401 authentication_error for a key it does not accept, else the documented page
 * `{ data: [{ type: "model", id, display_name, created_at }], has_more, first_id, last_id }`.
 * `rateLimit(n)` answers the next n listings with 429 rate_limit_error and a retry-after header;
 * `outage(n)` with 529 overloaded_error. Listing keys are recorded apart (`listedKeys`).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeAnthropic {
  url: string;
  port: number;
  /** every x-api-key seen, in order (including refused ones) */
  seenKeys: string[];
  /** every x-api-key of a model listing (rekey's probes), in order */
  listedKeys: string[];
  allow(key: string): void;
  /** also accept every key this predicate holds for */
  acceptWhen(pred: (key: string) => boolean): void;
  /** `key` is accepted for its first `n` model listings, refused from then on (a revocation) */
  revokeAfterListings(key: string, n: number): void;
  rateLimit(n: number): void;
  outage(n: number): void;
  deny(key: string): void;
  close(): Promise<void>;
}

export async function startFakeAnthropic(opts: { allow?: string[]; port?: number } = {}): Promise<FakeAnthropic> {
  const allowed = new Set(opts.allow ?? []);
  const preds: ((key: string) => boolean)[] = [];
  const denied = new Set<string>();
  let ok = (k: string) => !denied.has(k) && (allowed.has(k) || preds.some((p) => p(k)));
  const seenKeys: string[] = [];
  const listedKeys: string[] = [];
  let limited = 0;
  let down = 0;
  const server = createServer((req, res) => {
    void handle(req, res);
  });
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const key = String(req.headers['x-api-key'] ?? '');
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', 'request-id': 'req_fake', ...headers });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && (req.url === '/v1/models' || req.url?.startsWith('/v1/models?'))) {
      listedKeys.push(key);
      if (!req.headers['anthropic-version']) return json(400, { type: 'error', error: { type: 'invalid_request_error', message: 'anthropic-version: header is required' } });
      if (limited > 0) {
        limited--;
        return json(429, { type: 'error', error: { type: 'rate_limit_error', message: 'rate limited' } }, { 'retry-after': '0' });
      }
      if (down > 0) {
        down--;
        return json(529, { type: 'error', error: { type: 'overloaded_error', message: 'overloaded' } });
      }
      if (!ok(key)) return json(401, { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } });
      return json(200, { data: [{ type: 'model', id: 'claude-sonnet-4-5', display_name: 'Fake', created_at: '2026-01-01T00:00:00Z' }], has_more: false, first_id: 'claude-sonnet-4-5', last_id: 'claude-sonnet-4-5' });
    }
    if (!req.url?.startsWith('/v1/messages') || req.method !== 'POST') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: 'not found' } }));
      return;
    }
    seenKeys.push(key);
    if (!ok(key)) {
      res.writeHead(401, { 'content-type': 'application/json', 'request-id': 'req_fake' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } }));
      return;
    }
    let body: { model?: string; stream?: boolean } = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
    } catch {
      /* answer anyway */
    }
    const model = body.model ?? 'claude-fake';
    const message = {
      id: `msg_fake_${seenKeys.length}`,
      type: 'message',
      role: 'assistant',
      model,
      content: [{ type: 'text', text: 'pong' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 10, output_tokens: 1 },
    };
    if (!body.stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(message));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    send('message_start', { type: 'message_start', message: { ...message, content: [], stop_reason: null, usage: { input_tokens: 10, output_tokens: 0 } } });
    send('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    send('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'pong' } });
    send('content_block_stop', { type: 'content_block_stop', index: 0 });
    send('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 1 } });
    send('message_stop', { type: 'message_stop' });
    res.end();
  }
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    seenKeys,
    listedKeys,
    allow: (k) => {
      denied.delete(k);
      allowed.add(k);
    },
    acceptWhen: (p) => void preds.push(p),
    revokeAfterListings: (key, n) => {
      denied.delete(key);
      allowed.delete(key);
      preds.unshift((k) => k === key && listedKeys.filter((x) => x === key).length <= n);
      // once past n listings the key is refused whatever else would accept it
      const past = () => listedKeys.filter((x) => x === key).length > n;
      const before = ok;
      ok = (k: string) => (k === key && past() ? false : before(k));
    },
    rateLimit: (n) => void (limited = n),
    outage: (n) => void (down = n),
    deny: (k) => {
      allowed.delete(k);
      denied.add(k);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
