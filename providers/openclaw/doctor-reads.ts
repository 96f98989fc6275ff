/** The read-only OpenClaw calls `rekey doctor` makes besides the verifiers' (see core/openclaw.ts). */
import { childMessage, scrubText } from '../../src/core/child-output.js';
import type { GatewayAnswer, OpenclawInstall, UnusableProfile } from '../../src/core/openclaw.js';
import type { Exec } from '../../src/core/ports.js';
import { SecretValue } from '../../src/core/secret-value.js';
import { openclawOf, type Target } from '../../src/core/target.js';
import { parseCliJson, runOpenclaw } from './cli.js';
import { configPathOf, readOpenclawConfig } from './config.js';

interface StatusJson {
  rpc?: { ok?: boolean; connectFailure?: { kind?: string; detailCode?: string }; error?: string };
}

/** the deployment's own CLI, its own config (and so its own token), plus the unit's environment */
export async function gatewayStatus(exec: Exec, baseEnv: Record<string, string>, o: OpenclawInstall, env: Record<string, SecretValue>, port: number | undefined, signal: AbortSignal): Promise<GatewayAnswer> {
  const extraEnv = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.reveal()]));
  const args = ['gateway', 'status', '--require-rpc', '--json', ...(port !== undefined ? ['--port', String(port)] : [])];
  const r = await runOpenclaw(exec, o, args, { baseEnv, extraEnv, timeoutMs: 60_000, signal });
  const rpc = parseCliJson<StatusJson>(r.stdout)?.rpc;
  if (r.code === 0 && rpc?.ok !== false) return { state: 'ok' };
  const failure = `${rpc?.connectFailure?.detailCode ?? ''} ${rpc?.connectFailure?.kind ?? ''}`;
  const why = scrubText(rpc?.error ?? (childMessage(r) || `exit ${r.code}`), r.secrets ?? []).split('\n')[0]!.slice(0, 200);
  return { state: /TOKEN_MISMATCH|auth-rejected|unauthorized/i.test(failure) ? 'refused' : 'unreachable', why: `${why}${failure.trim() ? ` (${failure.trim()})` : ''}` };
}

export async function openclawVersion(exec: Exec, baseEnv: Record<string, string>, command: string[], signal: AbortSignal): Promise<string | null> {
  const r = await exec.run([...command, '--version'], { env: baseEnv, timeoutMs: 30_000, signal, reuse: 'read' });
  return r.code === 0 ? (r.stdout.trim().split('\n')[0] ?? null) : null;
}

export async function unusableProfiles(exec: Exec, baseEnv: Record<string, string>, t: Target, signal: AbortSignal): Promise<UnusableProfile[]> {
  const oc = openclawOf(t);
  if (!oc) return [];
  const agent = (t.verify as { agent?: unknown }).agent;
  const r = await runOpenclaw(exec, oc, ['models', 'status', '--json', '--agent', typeof agent === 'string' ? agent : t.agent], { baseEnv, timeoutMs: 60_000, signal });
  const j = parseCliJson<{ auth?: { unusableProfiles?: { profileId?: string; kind?: string; reason?: string; remainingMs?: number }[] } }>(r.stdout);
  const mine = `${t.provider ?? ''}:`;
  return (j?.auth?.unusableProfiles ?? [])
    .filter((u) => typeof u.profileId === 'string' && u.profileId.startsWith(mine))
    .map((u) => ({ profileId: u.profileId!, kind: u.kind ?? 'cooldown', reason: u.reason ?? 'unknown', ...(typeof u.remainingMs === 'number' ? { remainingMs: u.remainingMs } : {}) }));
}

export async function configToken(o: OpenclawInstall, home: string): Promise<{ kind: 'none' } | { kind: 'string'; value: SecretValue } | { kind: 'secretref' }> {
  const token = (await readOpenclawConfig(configPathOf(o, home)))?.gateway?.auth?.token;
  if (token === undefined || token === null || token === '') return { kind: 'none' };
  return typeof token === 'string' ? { kind: 'string', value: SecretValue.of(token) } : { kind: 'secretref' };
}
