/**
 * Notifications of scheduled runs: a loopback HTTP receiver checks the HMAC-SHA256 signature
 * over `<timestamp>.<body>` with the key held in the backend, answers 503 twice (retried with
 * backoff on the injected clock) then 200; a 400 is not retried; http:// to another host is
 * refused; the command gets the event on stdin. No value in any event.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parsePolicy } from '../../providers/registry.js';
import { SecretValue } from '../../src/core/secret-value.js';
import { createExec } from '../../src/io/exec.js';
import { httpPost } from '../../src/io/http-post.js';
import { notifyRun, type RunEvent } from '../../src/usecases/notify.js';
import { policyText } from '../harness/fake-world.js';
import { fakeDeps } from '../harness/memory-stores.js';

const KEY = 'whsec-test-key-0123456789abcdef';
const event: RunEvent = { event: 'rekey.run', command: 'rotate --due', host: 'gw1', at: '2026-11-30T02:00:00.000Z', exitCode: 3, items: [{ secret: 'anthropic', env: 'prod', outcome: 'needs-new-key', state: 'expired' }] };

describe('notify', () => {
  const got: { headers: IncomingMessage['headers']; body: string }[] = [];
  let answers: number[] = [];
  let url = '';
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.statusCode = answers.shift() ?? 200;
      res.end();
    });
  });
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(() => server.close());

  const setup = async (notify: string) => {
    const policy = parsePolicy(policyText + `notify: ${notify}\n`);
    const w = fakeDeps();
    w.deps.http = httpPost;
    w.deps.exec = createExec();
    await w.backend.stage('rekey/webhook', SecretValue.of(KEY), 'seed', w.deps.signal);
    await w.backend.promote('rekey/webhook', 'seed', w.deps.signal);
    return { policy, w };
  };

  test('signed with the backend key, retried on 503 with backoff, delivered on 200', async () => {
    got.length = 0;
    answers = [503, 503, 200];
    const { policy, w } = await setup(`{ webhook: { url: "${url}", key: { backend: local, ref: rekey/webhook }, retries: 3 } }`);
    const t0 = w.clock.now().getTime();
    const r = await notifyRun(policy, event, w.deps);
    expect(r).toEqual({ delivered: [`webhook 127.0.0.1:${new URL(url).port}`], failed: [] });
    expect(got).toHaveLength(3);
    expect(w.clock.now().getTime() - t0).toBe(1000 + 2000); // backoff 1 s, 2 s on the injected clock
    for (const g of got) {
      const ts = String(g.headers['x-rekey-timestamp']);
      expect(g.headers['x-rekey-signature']).toBe(`sha256=${createHmac('sha256', KEY).update(`${ts}.${g.body}`).digest('hex')}`);
      expect(JSON.parse(g.body)).toEqual(event);
      expect(g.body).not.toContain(KEY);
    }
    // a tampered body does not verify
    const g = got[0]!;
    expect(g.headers['x-rekey-signature']).not.toBe(`sha256=${createHmac('sha256', KEY).update(`${String(g.headers['x-rekey-timestamp'])}.${g.body.replace('needs-new-key', 'rotated')}`).digest('hex')}`);
  });

  test('a 400 is final (not retried); every failure is reported, the run is not failed by it', async () => {
    got.length = 0;
    answers = [400];
    const { policy, w } = await setup(`{ webhook: { url: "${url}", key: { backend: local, ref: rekey/webhook } } }`);
    const r = await notifyRun(policy, event, w.deps);
    expect(got).toHaveLength(1);
    expect(r.failed).toEqual([{ to: expect.stringMatching(/^webhook /), reason: 'HTTP 400 after 4 attempt(s)' }]);
  });

  test('http:// to another host is refused before anything is sent; a missing key is named', async () => {
    let { policy, w } = await setup('{ webhook: { url: "http://hooks.example.com/x", key: { backend: local, ref: rekey/webhook } } }');
    expect((await notifyRun(policy, event, w.deps)).failed[0]!.reason).toMatch(/not https/);
    ({ policy, w } = await setup(`{ webhook: { url: "${url}", key: { backend: local, ref: rekey/none } } }`));
    expect((await notifyRun(policy, event, w.deps)).failed[0]!.reason).toMatch(/no HMAC key at local:rekey\/none/);
  });

  test('the command gets the event on stdin; `when: failures` stays quiet on a clean run', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'rekey-notify-')), 'event.json');
    const { policy, w } = await setup(`{ when: failures, command: [sh, -c, "cat > ${out}"] }`);
    expect((await notifyRun(policy, { ...event, exitCode: 0, items: [{ secret: 'anthropic', env: 'prod', outcome: 'rotated' }] }, w.deps)).delivered).toEqual([]);
    expect((await notifyRun(policy, event, w.deps)).delivered).toEqual(['command sh']);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(event);
  });
});
