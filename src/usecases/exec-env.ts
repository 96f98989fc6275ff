import { UnsafeError, UsageError } from '../core/errors.js';
import type { SecretValue } from '../core/secret-value.js';
import type { Target } from '../core/target.js';
import { sinkTouches } from '../plan/blast-radius.js';
import { resolveTargets, type PlanContext } from '../plan/planner.js';
import type { Policy } from '../policy/schema.js';
import type { RekeyDeps } from './context.js';
import { withTimeout } from '../rotation/timeout.js';


/** Every delivery on this host whose value rekey reads out for its consumer (keychain item, env file): `rekey exec` and `rekey openclaw resolve`. */
export function envTargets(policy: Policy, ctx: PlanContext, secrets: string[] = Object.keys(policy.secrets)): Target[] {
  return secrets.flatMap((s) => resolveTargets(policy, s, ctx)).filter((t) => (t.host === '*' || t.host === ctx.hostname) && ctx.adapters.sink(t.sink.kind).handsOut === true);
}

export interface ExecSource {
  envVar: string;
  target: string;
  sink: string;
  /** the keychain item or file it came from */
  from: string;
  fingerprint: string;
}

/**
 * The credentials one agent × environment gets at start (`rekey exec`): every delivery of every
 * secret to that target on this host, read from its sink. A missing item or two different values
 * for one variable is refused: a service that starts without its key fails later and less clearly.
 */
export async function resolveExecEnv(
  policy: Policy,
  filter: { agent: string; env: string; secrets?: string[] | undefined },
  deps: Pick<RekeyDeps, 'sink' | 'planContext' | 'signal' | 'stepTimeoutMs'>,
): Promise<{ vars: Record<string, SecretValue>; sources: ExecSource[] }> {
  if (!(filter.agent in policy.agents)) throw new UsageError('UNKNOWN_AGENT', `no agent "${filter.agent}" in the policy`, { hint: `agents: ${Object.keys(policy.agents).join(', ')}` });
  if (!(filter.env in policy.environments)) throw new UsageError('UNKNOWN_ENV', `no environment "${filter.env}" in the policy`, { hint: `environments: ${Object.keys(policy.environments).join(', ')}` });
  const targets = envTargets(policy, deps.planContext, filter.secrets).filter((t) => t.agent === filter.agent && t.env === filter.env);
  if (targets.length === 0) {
    throw new UsageError('EXEC_NOTHING_TO_INJECT', `no keychain or env-file delivery for agent ${filter.agent} in ${filter.env} on this host`, {
      hint: 'add a delivery with sink.kind: keychain for this agent and environment',
    });
  }
  const vars: Record<string, SecretValue> = {};
  const sources: ExecSource[] = [];
  for (const t of targets) {
    const touched = sinkTouches(t, deps.planContext.adapters);
    const from = touched.keychainItems[0] ?? touched.files[0] ?? t.sink.kind;
    const v = await withTimeout(deps.sink(t.sink.kind).read(t, deps.signal), deps.stepTimeoutMs, `read ${from}`, deps.signal);
    if (!v || v.length === 0) {
      throw new UnsafeError('EXEC_CREDENTIAL_MISSING', `${t.id}: ${from} holds no value for ${t.envVar}: not starting the command without it`, {
        hint: `rekey rotate ${t.secret} --env ${t.env} --agent ${t.agent} delivers one`,
      });
    }
    const prev = vars[t.envVar];
    if (prev && !prev.equals(v)) {
      throw new UnsafeError('EXEC_CONFLICT', `${t.envVar} would be ${prev.fingerprint} from one delivery and ${v.fingerprint} from ${from}`, {
        hint: 'two deliveries set the same variable for this agent and environment; give one a different sink.key',
      });
    }
    vars[t.envVar] = v;
    sources.push({ envVar: t.envVar, target: t.id, sink: t.sink.kind, from, fingerprint: v.fingerprint });
  }
  return { vars, sources };
}
