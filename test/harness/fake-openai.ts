/**
 * A loopback stand-in for the OpenAI model API (platform.openai.com/docs/api-reference), the
 * subset an OpenClaw `openai-completions` provider and rekey's probe use:
 *  - POST /v1/chat/completions with `Authorization: Bearer <key>`: 401 `{error: {message, type:
 *    "invalid_request_error", param: null, code: "invalid_api_key"}}` for a key it does not accept;
 *    `stream: true` → `text/event-stream` of `chat.completion.chunk` objects (a role delta, a
 *    content delta, a chunk with `finish_reason: "stop"`, a usage chunk with `choices: []` when
 *    `stream_options.include_usage`), then `data: [DONE]`; else one `chat.completion`.
 *  - GET /v1/models (the probe): the same 401, else `{object: "list", data: [{id, object: "model",
 *    created, owned_by}]}`.
 * Every bearer key is recorded (`seenKeys`: completions, `listedKeys`: listings).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeOpenai {
  url: string;
  seenKeys: string[];
  listedKeys: string[];
  allow(key: string): void;
  deny(key: string): void;
  close(): Promise<void>;
}

export async function startFakeOpenai(): Promise<FakeOpenai> {
  const allowed = new Set<string>();
  const seenKeys: string[] = [];
  const listedKeys: string[] = [];
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': 'req_fake' });
    res.end(JSON.stringify(body));
  };
  const refuse = (res: ServerResponse) => json(res, 401, { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const key = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1] ?? '';
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/v1/models') {
      listedKeys.push(key);
      if (!allowed.has(key)) return refuse(res);
      return json(res, 200, { object: 'list', data: [{ id: 'gpt-fake', object: 'model', created: 1_767_225_600, owned_by: 'openai' }] });
    }
    if (req.method !== 'POST' || path !== '/v1/chat/completions') return json(res, 404, { error: { message: `Invalid URL (${req.method} ${path})`, type: 'invalid_request_error', param: null, code: null } });
    seenKeys.push(key);
    if (!allowed.has(key)) return refuse(res);
    let body: { model?: string; stream?: boolean; stream_options?: { include_usage?: boolean } } = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
    } catch {
      return json(res, 400, { error: { message: 'We could not parse the JSON body of your request.', type: 'invalid_request_error', param: null, code: null } });
    }
    const id = `chatcmpl-fake${seenKeys.length}`;
    const created = Math.floor(Date.now() / 1000);
    const model = body.model ?? 'gpt-fake';
    const usage = { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11 };
    if (!body.stream) {
      return json(res, 200, { id, object: 'chat.completion', created, model, choices: [{ index: 0, message: { role: 'assistant', content: 'pong', refusal: null }, logprobs: null, finish_reason: 'stop' }], usage });
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const chunk = (choices: unknown[], extra: object = {}) => res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, system_fingerprint: null, choices, ...extra })}\n\n`);
    chunk([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]);
    chunk([{ index: 0, delta: { content: 'pong' }, logprobs: null, finish_reason: null }]);
    chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]);
    if (body.stream_options?.include_usage) chunk([], { usage });
    res.write('data: [DONE]\n\n');
    res.end();
  };
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    seenKeys,
    listedKeys,
    allow: (k) => void allowed.add(k),
    deny: (k) => void allowed.delete(k),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
