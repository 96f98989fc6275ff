/** Running the openclaw CLI for an OpenClaw deployment: argv prefix, state dir, config path. */
import type { Exec, ExecResult } from '../src/core/ports.js';

export interface OpenclawTarget {
  /** argv prefix, e.g. ["openclaw"] or ["/opt/node24/bin/node", "/opt/openclaw/openclaw.mjs"] */
  command: string[];
  stateDir?: string | undefined;
  configPath?: string | undefined;
}

export function openclawEnv(o: OpenclawTarget, base: Record<string, string>, extra: Record<string, string> = {}): Record<string, string> {
  return { ...base, ...extra, ...(o.stateDir ? { OPENCLAW_STATE_DIR: o.stateDir } : {}), ...(o.configPath ? { OPENCLAW_CONFIG_PATH: o.configPath } : {}) };
}

export function runOpenclaw(exec: Exec, o: OpenclawTarget, args: string[], opts: { baseEnv: Record<string, string>; extraEnv?: Record<string, string>; stdin?: string; timeoutMs: number; signal: AbortSignal }): Promise<ExecResult> {
  return exec.run([...o.command, ...args], { env: openclawEnv(o, opts.baseEnv, opts.extraEnv), ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}), timeoutMs: opts.timeoutMs, signal: opts.signal });
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
