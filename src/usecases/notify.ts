/**
 * Notifications of scheduled runs (policy `notify`): the run's outcome as JSON to a command's
 * stdin and/or an HTTPS webhook. The webhook body is signed: `X-Rekey-Signature: sha256=<hex>`,
 * the HMAC-SHA256 of `<X-Rekey-Timestamp>.<body>` under a key read from a backend (a receiver
 * checks the signature and refuses old timestamps). Retries with exponential backoff on a network
 * error, 429 or 5xx; a 4xx other than 429 is final. Events never carry a value.
 */
import { createHmac } from 'node:crypto';
import { UsageError } from '../core/errors.js';
import type { Policy } from '../policy/schema.js';
import type { RekeyDeps } from './context.js';

export interface RunEvent {
  event: 'rekey.run';
  command: string;
  host: string;
  at: string;
  exitCode: number;
  /** each secret × env with its outcome (names, states, rotation ids, fingerprints at most) */
  items: { secret: string; env: string; outcome: string; state?: string; dueAt?: string | null; rotationId?: string; detail?: string }[];
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '[::1]', 'localhost']);

/** the webhook URL is https, or http to this host only */
export function checkWebhookUrl(url: string): void {
  const u = new URL(url);
  if (u.protocol === 'https:') return;
  if (u.protocol === 'http:' && LOOPBACK.has(u.hostname)) return;
  throw new UsageError('WEBHOOK_NOT_HTTPS', `notify.webhook.url ${u.protocol}//${u.host} is not https: the event would travel in clear`, { hint: 'use an https:// URL (http:// is accepted for a loopback receiver only)' });
}

export function signature(key: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', key).update(`${timestamp}.${body}`).digest('hex')}`;
}

const interesting = (e: RunEvent, when: 'changes' | 'failures' | 'always') =>
  when === 'always' || (when === 'failures' ? e.exitCode !== 0 : e.exitCode !== 0 || e.items.some((i) => !['not-due', 'deferred'].includes(i.outcome)));

/** Send the event where the policy says; returns what was delivered and what failed (a failed notification never fails the run). */
export async function notifyRun(policy: Policy, e: RunEvent, deps: RekeyDeps): Promise<{ delivered: string[]; failed: { to: string; reason: string }[] }> {
  const n = policy.notify;
  const out = { delivered: [] as string[], failed: [] as { to: string; reason: string }[] };
  if (!n || !interesting(e, n.when)) return out;
  const body = JSON.stringify(e);
  if (n.command) {
    const to = `command ${n.command[0]}`;
    try {
      if (!deps.exec) throw new Error('this build cannot run commands');
      const r = await deps.exec.run(n.command, { stdin: body, timeoutMs: 30_000, signal: deps.signal });
      if (r.code === 0) out.delivered.push(to);
      else out.failed.push({ to, reason: `exit ${r.code}` });
    } catch (err) {
      out.failed.push({ to, reason: (err as Error).message });
    }
  }
  if (n.webhook) {
    const w = n.webhook;
    const to = `webhook ${new URL(w.url).host}`;
    try {
      checkWebhookUrl(w.url);
      if (!deps.http) throw new Error('this build cannot send webhooks');
      const key = await deps.backend(w.key.backend).read(w.key.ref, 'current', deps.signal);
      if (!key) throw new UsageError('WEBHOOK_KEY_MISSING', `no HMAC key at ${w.key.backend}:${w.key.ref}`, { hint: `printf %s "$HMAC_KEY" | rekey store ${w.key.backend} ${w.key.ref} --stdin` });
      let last = '';
      for (let attempt = 0; attempt <= w.retries; attempt++) {
        if (attempt > 0) await deps.clock.sleep(1000 * 2 ** (attempt - 1), deps.signal);
        const ts = deps.clock.now().toISOString();
        try {
          const r = await deps.http(w.url, body, { 'content-type': 'application/json', 'user-agent': 'rekey', 'x-rekey-timestamp': ts, 'x-rekey-signature': signature(key.value.reveal(), ts, body) }, { signal: deps.signal, timeoutMs: w.timeoutMs });
          if (r.status >= 200 && r.status < 300) {
            out.delivered.push(to);
            last = '';
            break;
          }
          last = `HTTP ${r.status}`;
          if (r.status !== 429 && r.status < 500) break;
        } catch (err) {
          last = (err as Error).message;
        }
      }
      if (last) out.failed.push({ to, reason: `${last} after ${w.retries + 1} attempt(s)` });
    } catch (err) {
      out.failed.push({ to, reason: (err as Error).message });
    }
  }
  for (const f of out.failed) deps.log.warn({ to: f.to }, `notification not delivered: ${f.reason}`);
  return out;
}
