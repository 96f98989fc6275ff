/**
 * The Gateway token verifier's server probe: `openclaw gateway health --json --port P` with the
 * candidate in the environment (never argv), gated by a TCP connect while the Gateway is not
 * listening yet (no CLI run then), and the answer read from the CLI's JSON.
 */
import { describe, expect, test } from 'vitest';
import type { Exec, ExecOptions } from '../../src/core/ports.js';
import { SecretValue } from '../../src/core/secret-value.js';
import { createOpenclawGatewayProbeVerifier } from '../../providers/verifiers/openclaw-gateway-probe.js';
import { fakeClock } from '../harness/memory-stores.js';
import { envFileTarget } from '../harness/targets.js';

const TOKEN = SecretValue.of('tok-new-0000000000000000000000000000aaaa');
const OLD = SecretValue.of('tok-old-0000000000000000000000000000bbbb');
const target = envFileTarget('/srv/gw.env', {
  id: 'gateway/prod/main#0',
  secret: 'gateway',
  layer: 'gateway-token',
  envVar: 'OPENCLAW_GATEWAY_TOKEN',
  verify: { kind: 'openclaw-gateway-probe', role: 'server', port: 18789, command: ['openclaw'], timeoutMs: 30_000, readyTimeoutMs: 60_000 },
} as never);

const ok = JSON.stringify({ ok: true, durationMs: 10 });
const mismatch = JSON.stringify({ ok: false, error: { message: 'unauthorized: gateway token mismatch', details: { code: 'AUTH_TOKEN_MISMATCH' } } });
const closed = JSON.stringify({ ok: false, error: { message: 'gateway closed (1006 abnormal closure)' } });

function world(answer: (token: string) => string, listening: boolean[]) {
  const calls: { argv: string[]; token: string }[] = [];
  const exec: Exec = {
    async run(argv: string[], o: ExecOptions = {}) {
      const token = o.env?.OPENCLAW_GATEWAY_TOKEN ?? '';
      calls.push({ argv, token });
      const out = answer(token);
      return { code: JSON.parse(out).ok ? 0 : 1, signal: null, stdout: out, stderr: '', timedOut: false };
    },
  };
  let gates = 0;
  const clock = fakeClock();
  const v = createOpenclawGatewayProbeVerifier({
    exec,
    clock,
    baseEnv: {},
    home: '/home/x',
    sink: () => { throw new Error('no sink read for a server probe'); },
    serviceEnv: async () => ({}),
    listening: async () => listening[Math.min(gates++, listening.length - 1)]!,
  });
  return { v, calls, gates: () => gates };
}

describe('openclaw-gateway-probe server role', () => {
  test('no CLI run while nothing listens on the port; then one health probe with the token in the environment', async () => {
    const w = world((t) => (t === TOKEN.reveal() ? ok : mismatch), [false, false, false, true]);
    const r = await w.v.verify(target, TOKEN, new AbortController().signal, { refused: OLD });
    expect(r).toMatchObject({ ok: true });
    expect(w.gates()).toBeGreaterThanOrEqual(4);
    // the new token once, the old one once (refused)
    expect(w.calls.map((c) => c.token)).toEqual([TOKEN.reveal(), OLD.reveal()]);
    for (const c of w.calls) {
      expect(c.argv).toEqual(['openclaw', 'gateway', 'health', '--json', '--port', '18789']);
      expect(c.argv.join(' ')).not.toContain('tok-');
    }
  });

  test('a refused token is a mismatch at once (no retry); an old token still accepted is wrong-source', async () => {
    let w = world(() => mismatch, [true]);
    let r = await w.v.verify(target, TOKEN, new AbortController().signal);
    expect(r).toMatchObject({ ok: false, code: 'mismatch' });
    expect(w.calls).toHaveLength(1);
    w = world(() => ok, [true]);
    r = await w.v.verify(target, TOKEN, new AbortController().signal, { refused: OLD });
    expect(r).toMatchObject({ ok: false, code: 'wrong-source' });
  });

  test('never listening: one probe at the deadline, its answer reported (not refused: an error)', async () => {
    const w = world(() => closed, [false]);
    const r = await w.v.verify(target, TOKEN, new AbortController().signal);
    expect(r).toMatchObject({ ok: false, code: 'error' });
    expect((r as { reason: string }).reason).toMatch(/gateway closed/);
    expect(w.calls).toHaveLength(1);
  });
});
