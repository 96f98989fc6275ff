/**
 * A loopback stand-in for the Anthropic Messages API (POST /v1/messages), for integration tests.
 *
 * It accepts only the API keys it is told to (`allow`), records the `x-api-key` of every request,
 * and answers like the real API: 401 `authentication_error` for any other key, a JSON message for
 * `stream: false`, and the documented SSE event sequence (message_start, content_block_start,
 * content_block_delta, content_block_stop, message_delta, message_stop) for `stream: true`.
 * Keys are recorded so a test can assert which credential a consumer really sent.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeAnthropic {
  url: string;
  port: number;
  /** every x-api-key seen, in order (including refused ones) */
  seenKeys: string[];
  allow(key: string): void;
  deny(key: string): void;
  close(): Promise<void>;
}

export async function startFakeAnthropic(opts: { allow?: string[]; port?: number } = {}): Promise<FakeAnthropic> {
  const allowed = new Set(opts.allow ?? []);
  const seenKeys: string[] = [];
  const server = createServer((req, res) => {
    void handle(req, res);
  });
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const key = String(req.headers['x-api-key'] ?? '');
    if (!req.url?.startsWith('/v1/messages') || req.method !== 'POST') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: 'not found' } }));
      return;
    }
    seenKeys.push(key);
    if (!allowed.has(key)) {
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
    allow: (k) => void allowed.add(k),
    deny: (k) => void allowed.delete(k),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
