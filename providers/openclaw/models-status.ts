/**
 * The one `openclaw models status` call per target and run: `models status --json --check --agent
 * A`, run by the target's openclaw with the consumer's environment (what its process holds, else
 * what it gets at its next start). The models-status verifier runs it (its pre-flight baseline);
 * the source lookup and doctor's cooldown check read the same call, so the run's memo
 * (io/memo-exec.ts) answers all three with one process (~3-6 s of CPU each with 2026.9.6) until a
 * sink writes or a service restarts. `--check` only sets the exit code (0 ok, 1 missing or
 * expired, 2 expiring soon); the JSON is the same.
 */
import type { ExecResult, Exec } from '../../src/core/ports.js';
import type { SecretValue } from '../../src/core/secret-value.js';
import type { Target } from '../../src/core/target.js';
import { openclawOf } from '../../src/core/target.js';
import { parseCliJson, runOpenclaw, type OpenclawTarget } from './cli.js';

export const modelsStatusArgs = (agent: string): string[] => ['models', 'status', '--json', '--check', '--agent', agent];

/** the OpenClaw agent a target's verifier asks about (verify.agent), else the policy's agent */
export const verifierAgent = (t: Target): string => {
  const a = (t.verify as { agent?: unknown }).agent;
  return typeof a === 'string' ? a : t.agent;
};

export const revealAll = (vars: Record<string, SecretValue>): Record<string, string> => Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, v.reveal()]));

export interface ModelsStatusCallDeps {
  exec: Exec;
  baseEnv: Record<string, string>;
  /** the consumer's environment (the verifier's view); without it the call runs in rekey's base environment */
  consumerEnv?: (t: Target, signal: AbortSignal) => Promise<Record<string, SecretValue>>;
}

export function runModelsStatus(exec: Exec, o: OpenclawTarget, agent: string, o2: { baseEnv: Record<string, string>; extraEnv: Record<string, string>; timeoutMs: number; signal: AbortSignal }): Promise<ExecResult> {
  return runOpenclaw(exec, o, modelsStatusArgs(agent), o2);
}

/**
 * The target's call and its JSON (null when it printed none); `r.code` 0, 1 or 2 all carry JSON.
 * With the consumer's environment only for a target the models-status verifier checks (its call);
 * any other target's in rekey's base environment (the secrets-audit verifier's call).
 */
export async function modelsStatusOf<T>(deps: ModelsStatusCallDeps, t: Target, signal: AbortSignal, agent = verifierAgent(t)): Promise<{ r: ExecResult; json: T | null } | null> {
  const oc = openclawOf(t);
  if (!oc) return null;
  const consumerEnv = t.verify.kind === 'openclaw-models-status' ? deps.consumerEnv : undefined;
  const extraEnv = consumerEnv ? revealAll(await consumerEnv(t, signal)) : {};
  // the verifier's own bound (verify.timeoutMs): the run's memo shares one call between the
  // lookup, the baseline and doctor, so whichever starts it must give it the verifier's time
  const r = await runModelsStatus(deps.exec, oc, agent, { baseEnv: deps.baseEnv, extraEnv, timeoutMs: oc.timeoutMs ?? 60_000, signal });
  return { r, json: r.code === 0 || r.code === 1 || r.code === 2 ? parseCliJson<T>(r.stdout) : null };
}
