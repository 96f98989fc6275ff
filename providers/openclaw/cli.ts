/** Running the openclaw CLI for an OpenClaw deployment: argv prefix, state dir, config path. */
import { DeliveryError } from '../../src/core/errors.js';
import { childMessage } from '../../src/core/child-output.js';
import type { Exec, ExecResult } from '../../src/core/ports.js';

export interface OpenclawTarget {
  /** argv prefix, e.g. ["openclaw"] or ["/opt/node24/bin/node", "/opt/openclaw/openclaw.mjs"] */
  command: string[];
  stateDir?: string | undefined;
  configPath?: string | undefined;
}

export function openclawEnv(o: OpenclawTarget, base: Record<string, string>, extra: Record<string, string> = {}): Record<string, string> {
  return { ...base, ...extra, ...(o.stateDir ? { OPENCLAW_STATE_DIR: o.stateDir } : {}), ...(o.configPath ? { OPENCLAW_CONFIG_PATH: o.configPath } : {}) };
}

/** the read-only calls a run may answer from an identical earlier one (see io/memo-exec.ts) */
const READS = [
  ['models', 'status'],
  ['models', 'auth', 'list'],
  ['secrets', 'audit'],
];
const isRead = (args: string[]) => READS.some((r) => r.every((w, i) => args[i] === w));

/**
 * Every other openclaw call (paste-api-key, logout, secrets reload, config set, devices …) may
 * change what those reads see: it is marked a change, and the run's remembered reads are dropped.
 */
export function runOpenclaw(exec: Exec, o: OpenclawTarget, args: string[], opts: { baseEnv: Record<string, string>; extraEnv?: Record<string, string>; stdin?: string; timeoutMs: number; signal: AbortSignal }): Promise<ExecResult> {
  return exec.run([...o.command, ...args], {
    env: openclawEnv(o, opts.baseEnv, opts.extraEnv),
    ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}),
    timeoutMs: opts.timeoutMs,
    signal: opts.signal,
    reuse: isRead(args) && opts.stdin === undefined ? 'read' : 'change',
  });
}

/** JSON printed by the CLI, or null (it may print a warning line before the JSON). */
export function parseCliJson<T>(stdout: string): T | null {
  try {
    return JSON.parse(stdout) as T;
  } catch {
    const i = stdout.indexOf('{');
    if (i < 0) return null;
    try {
      return JSON.parse(stdout.slice(i)) as T;
    } catch {
      return null;
    }
  }
}

/**
 * `openclaw secrets reload --json`: the running Gateway re-resolves every SecretRef (file and exec
 * sources) without a restart. Only `ok: true` with `warningCount: 0` counts.
 */
export async function secretsReload(exec: Exec, o: OpenclawTarget & { timeoutMs: number }, baseEnv: Record<string, string>, what: string, signal: AbortSignal): Promise<void> {
  const r = await runOpenclaw(exec, o, ['secrets', 'reload', '--json'], { baseEnv, timeoutMs: o.timeoutMs, signal });
  const out = parseCliJson<{ ok?: boolean; warningCount?: number }>(r.stdout);
  if (!out?.ok || (out.warningCount ?? 0) !== 0) {
    const why = out ? `ok: ${String(out.ok)}, warningCount: ${out.warningCount ?? '?'}` : `exit ${r.code}: ${childMessage(r)}`;
    throw new DeliveryError('SECRETS_RELOAD_FAILED', `openclaw secrets reload for ${what} did not succeed cleanly (${why})`, { hint: 'openclaw secrets audit --json; is the Gateway running and reachable?' });
  }
}
