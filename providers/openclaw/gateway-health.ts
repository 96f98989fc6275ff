/**
 * `openclaw gateway health --json [--port P]`: one RPC to the Gateway with the caller's token. The
 * answer rekey needs (served, refused the token, or not reached) for less CPU than `gateway status
 * --require-rpc`, which also inspects the service and the port (2026.9.6 on an idle 2-core host:
 * 2.9-3.7 s vs 3.6-4.5 s of CPU per call; 2.6-3.4 s vs 4.3-4.6 s under load). Exit 0 with `ok:
 * true` when served; a refused token: exit 1, `error.details.code` AUTH_TOKEN_MISMATCH and a
 * `message` starting "unauthorized:".
 */
import { connect } from 'node:net';
import { childMessage, scrubText } from '../../src/core/child-output.js';
import type { GatewayAnswer } from '../../src/core/openclaw.js';
import type { ExecResult } from '../../src/core/ports.js';
import { parseCliJson } from './cli.js';

interface HealthJson {
  ok?: boolean;
  error?: { message?: string; details?: { code?: string } } | string;
}

export const gatewayHealthArgs = (port?: number): string[] => ['gateway', 'health', '--json', ...(port !== undefined ? ['--port', String(port)] : [])];

export function gatewayHealthAnswer(r: ExecResult): GatewayAnswer {
  const j = parseCliJson<HealthJson>(r.stdout);
  if (r.code === 0 && j?.ok === true) return { state: 'ok' };
  const err = typeof j?.error === 'object' ? j.error : undefined;
  const code = err?.details?.code ?? '';
  const message = err?.message ?? (typeof j?.error === 'string' ? j.error : '');
  const why = scrubText(message || childMessage(r) || `exit ${r.code}`, r.secrets ?? []).split('\n')[0]!.slice(0, 200);
  const refused = /TOKEN_MISMATCH|AUTH_/i.test(code) || /^unauthorized/i.test(message);
  return { state: refused ? 'refused' : 'unreachable', why: code ? `${why} (${code})` : why };
}

/**
 * Whether anything accepts a TCP connection on 127.0.0.1:port (within 1 s): a gate before a probe,
 * never a verdict. A Gateway that is still starting listens only after ~10-20 s, and each CLI probe
 * costs seconds of CPU the starting Gateway needs itself.
 */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1' });
    const done = (ok: boolean) => (s.destroy(), resolve(ok));
    s.setTimeout(1_000, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}
