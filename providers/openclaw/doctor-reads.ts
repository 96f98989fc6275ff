/** The read-only OpenClaw calls `rekey doctor` makes besides the verifiers' (see core/openclaw.ts). */
import type { GatewayAnswer, OpenclawInstall, UnusableProfile } from '../../src/core/openclaw.js';
import type { Exec } from '../../src/core/ports.js';
import { SecretValue } from '../../src/core/secret-value.js';
import type { Target } from '../../src/core/target.js';
import { runOpenclaw } from './cli.js';
import { configPathOf, readOpenclawConfig } from './config.js';
import { gatewayHealthAnswer, gatewayHealthArgs } from './gateway-health.js';
import { modelsStatusOf, revealAll, type ModelsStatusCallDeps } from './models-status.js';

/** the deployment's own CLI, its own config (and so its own token), plus the unit's environment */
export async function gatewayStatus(exec: Exec, baseEnv: Record<string, string>, o: OpenclawInstall, env: Record<string, SecretValue>, port: number | undefined, signal: AbortSignal): Promise<GatewayAnswer> {
  return gatewayHealthAnswer(await runOpenclaw(exec, o, gatewayHealthArgs(port), { baseEnv, extraEnv: revealAll(env), timeoutMs: 60_000, signal }));
}

export async function openclawVersion(exec: Exec, baseEnv: Record<string, string>, command: string[], signal: AbortSignal): Promise<string | null> {
  const r = await exec.run([...command, '--version'], { env: baseEnv, timeoutMs: 30_000, signal, reuse: 'read' });
  return r.code === 0 ? (r.stdout.trim().split('\n')[0] ?? null) : null;
}

/** the profiles OpenClaw will not use now, from the target's one models-status call (shared with its verifier and the source lookup) */
export async function unusableProfiles(deps: ModelsStatusCallDeps, t: Target, signal: AbortSignal): Promise<UnusableProfile[]> {
  const got = await modelsStatusOf<{ auth?: { unusableProfiles?: { profileId?: string; kind?: string; reason?: string; remainingMs?: number }[] } }>(deps, t, signal);
  const mine = `${t.provider ?? ''}:`;
  return (got?.json?.auth?.unusableProfiles ?? [])
    .filter((u) => typeof u.profileId === 'string' && u.profileId.startsWith(mine))
    .map((u) => ({ profileId: u.profileId!, kind: u.kind ?? 'cooldown', reason: u.reason ?? 'unknown', ...(typeof u.remainingMs === 'number' ? { remainingMs: u.remainingMs } : {}) }));
}

export async function configToken(o: OpenclawInstall, home: string): Promise<{ kind: 'none' } | { kind: 'string'; value: SecretValue } | { kind: 'secretref' }> {
  const token = (await readOpenclawConfig(configPathOf(o, home)))?.gateway?.auth?.token;
  if (token === undefined || token === null || token === '') return { kind: 'none' };
  return typeof token === 'string' ? { kind: 'string', value: SecretValue.of(token) } : { kind: 'secretref' };
}
