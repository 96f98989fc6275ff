import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InternalError, UnsafeError } from '../../src/core/errors.js';
import type { Clock, Exec, Sink, Verifier, VerifyResult } from '../../src/core/ports.js';
import type { SecretValue } from '../../src/core/secret-value.js';
import type { Target } from '../../src/core/target.js';
import type { GatewayAnswer } from '../../src/core/openclaw.js';
import { openclawEnv } from '../openclaw/cli.js';
import { gatewayHealthAnswer, gatewayHealthArgs, listening } from '../openclaw/gateway-health.js';
import { revealAll } from '../openclaw/models-status.js';
import { configPathOf, readOpenclawConfig } from '../openclaw/config.js';
import type { OpenclawGatewayProbeVerifierConfig } from './openclaw-gateway-probe.schema.js';

const cfg = (t: Target): OpenclawGatewayProbeVerifierConfig => {
  if (t.verify.kind !== 'openclaw-gateway-probe') throw new InternalError(`target ${t.id} is not verified by openclaw-gateway-probe`);
  return t.verify;
};

export interface GatewayProbeDeps {
  exec: Exec;
  clock: Clock;
  baseEnv: Record<string, string>;
  home: string;
  sink: (kind: string) => Sink;
  /** whether 127.0.0.1:port accepts a connection (default: a TCP connect); a gate before a probe */
  listening?: (port: number) => Promise<boolean>;
  /** the environment of a client's service (its unit's Environment= and EnvironmentFile=s) */
  serviceEnv(t: Target, signal: AbortSignal): Promise<Record<string, SecretValue>>;
}

type Outcome = { ok: true } | { ok: false; refused: boolean; why: string };

/**
 * The Gateway token at work. server: `openclaw gateway health --json --port P` run
 * with a throw-away config (local mode, no token) and the candidate in OPENCLAW_GATEWAY_TOKEN
 * (never argv) must pass, and the token that must no longer work must be refused with a token
 * mismatch (checked for up to 5 s: the Gateway applies a config change about a second later).
 * client: the client's own OpenClaw (its config and, for a service, its environment) runs
 * `openclaw gateway health --json` against the Gateway, and holds the expected token.
 */
export function createOpenclawGatewayProbeVerifier(deps: GatewayProbeDeps): Verifier {
  const outcome = (a: GatewayAnswer): Outcome => (a.state === 'ok' ? { ok: true } : { ok: false, refused: a.state === 'refused', why: a.why });
  const serverProbe = async (t: Target, token: SecretValue, signal: AbortSignal): Promise<Outcome> => {
    const c = cfg(t);
    const dir = await mkdtemp(join(tmpdir(), 'rekey-probe-'));
    try {
      await writeFile(join(dir, 'openclaw.json'), JSON.stringify({ gateway: { mode: 'local', port: c.port } }), { mode: 0o600 });
      const env = { ...deps.baseEnv, OPENCLAW_CONFIG_PATH: join(dir, 'openclaw.json'), OPENCLAW_STATE_DIR: dir, OPENCLAW_GATEWAY_TOKEN: token.reveal() };
      return outcome(gatewayHealthAnswer(await deps.exec.run([...c.command, ...gatewayHealthArgs(c.port)], { env, timeoutMs: c.timeoutMs, signal })));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
  const clientProbe = async (t: Target, signal: AbortSignal): Promise<Outcome> => {
    const c = cfg(t);
    const svc = t.service ? revealAll(await deps.serviceEnv(t, signal)) : {};
    return outcome(gatewayHealthAnswer(await deps.exec.run([...c.command, ...gatewayHealthArgs()], { env: openclawEnv(c, deps.baseEnv, svc), timeoutMs: c.timeoutMs, signal })));
  };

  /**
   * Repeat a probe while the Gateway does not answer (not refused: booting, not listening yet),
   * bounded. With a known port, no CLI probe runs while nothing listens on it (a cheap TCP connect
   * every 250 ms instead of a ~3 s CLI run every second, CPU the starting Gateway needs).
   */
  const untilServing = async (probe: () => Promise<Outcome>, port: number | undefined, timeoutMs: number, signal: AbortSignal): Promise<Outcome> => {
    const deadline = deps.clock.now().getTime() + timeoutMs;
    const listens = deps.listening ?? listening;
    for (;;) {
      if (port !== undefined && !(await listens(port)) && deps.clock.now().getTime() < deadline) {
        await deps.clock.sleep(250, signal);
        continue;
      }
      const r = await probe();
      if (r.ok || r.refused || deps.clock.now().getTime() >= deadline) return r;
      await deps.clock.sleep(1_000, signal);
    }
  };

  return {
    kind: 'openclaw-gateway-probe',

    async preflight(t) {
      const c = cfg(t);
      if (c.role === 'server' && c.port === undefined) throw new UnsafeError('PROBE_NEEDS_PORT', `${t.id}: a server probe needs verify.port (the Gateway's port)`);
      // config beats OPENCLAW_GATEWAY_TOKEN on the Gateway: a token delivered to the server's environment would not be in effect
      if (c.role === 'server' && t.sink.kind !== 'openclaw-config-token') {
        const path = configPathOf(c, deps.home);
        const token = (await readOpenclawConfig(path))?.gateway?.auth?.token;
        if (token !== undefined && token !== null && token !== '') {
          throw new UnsafeError('GATEWAY_TOKEN_SHADOWED', `${t.id}: ${path} sets gateway.auth.token, which beats ${t.envVar} in the Gateway's environment: the token rekey delivers would not be in effect`, {
            hint: 'deliver the server token with sink: { kind: openclaw-config-token, field: auth }, or remove gateway.auth.token from the config',
          });
        }
      }
    },

    async verify(t, expected, signal, ctx): Promise<VerifyResult> {
      const c = cfg(t);
      const fail = (code: 'mismatch' | 'missing' | 'error' | 'wrong-source', reason: string, diagnosis?: string): VerifyResult => ({ ok: false, layer: 'gateway-token', code, reason, ...(diagnosis ? { diagnosis } : {}) });
      if (!expected) return fail('error', 'nothing to verify against');
      if (c.role === 'client') {
        const heldNow = await deps.sink(t.sink.kind).read(t, signal);
        if (!heldNow || !heldNow.equals(expected)) return fail('mismatch', `the client holds ${heldNow?.fingerprint ?? 'no token'}, not ${expected.fingerprint}`);
        const r = await untilServing(() => clientProbe(t, signal), undefined, c.readyTimeoutMs, signal);
        if (!r.ok) return fail(r.refused ? 'mismatch' : 'error', `the client does not reach the Gateway with ${expected.fingerprint}: ${r.why}`, r.refused ? 'the Gateway does not accept the token this client holds (server and client disagree)' : undefined);
        return { ok: true, detail: `client reaches the Gateway with ${expected.fingerprint}` };
      }
      // a Gateway that has just restarted serves RPC only after a while: wait for an answer
      const good = await untilServing(() => serverProbe(t, expected, signal), c.port, c.readyTimeoutMs, signal);
      if (!good.ok) return fail(good.refused ? 'mismatch' : 'error', `the Gateway on port ${c.port} refuses ${expected.fingerprint}: ${good.why}`);
      const other = ctx?.refused;
      if (!other || other.equals(expected)) return { ok: true, detail: `Gateway accepts ${expected.fingerprint}` };
      const deadline = deps.clock.now().getTime() + 5_000;
      for (;;) {
        const bad = await serverProbe(t, other, signal);
        if (!bad.ok && bad.refused) return { ok: true, detail: `Gateway accepts ${expected.fingerprint} and refuses ${other.fingerprint}` };
        if (deps.clock.now().getTime() > deadline) {
          return fail('wrong-source', `the Gateway still accepts ${other.fingerprint}, which must no longer work`, 'another token source is in effect (gateway.auth.token vs OPENCLAW_GATEWAY_TOKEN), or the Gateway did not apply the change');
        }
        await deps.clock.sleep(500, signal);
      }
    },
  } satisfies Verifier;
}
