/** What a fleet rollout covers: every host's targets of a secret, and the waves they go in. Pure. */
import { UsageError } from '../../core/errors.js';
import { planRotation, type Plan, type PlanFilter } from '../../plan/planner.js';
import type { Policy } from '../../policy/schema.js';
import type { RekeyDeps } from '../context.js';

/** every target of the secret on every host: the fleet's plan (a target with no host is refused) */
export function fleetPlan(policy: Policy, secret: string, filter: PlanFilter, deps: Pick<RekeyDeps, 'planContext'>): Plan {
  const p = planRotation(policy, secret, filter, { ...deps.planContext, hostname: '\u0000no host' });
  const anywhere = p.targets.filter((t) => t.host === '*');
  if (anywhere.length) {
    throw new UsageError('FLEET_TARGET_WITHOUT_HOST', `a fleet rotation needs every delivery of "${secret}" to name its host; ${anywhere.map((t) => t.id).join(', ')} name none`, { hint: 'add `host: <name>` to each delivery (the name each host runs rekey as: its host name or REKEY_HOSTNAME)' });
  }
  const targets = p.elsewhere;
  return { ...p, targets, elsewhere: [], refs: [...new Set(targets.map((t) => t.ref))], restarts: [] };
}

export function wavesOf(hosts: string[], canary: string | undefined, perWave: number): string[][] {
  if (canary !== undefined && !hosts.includes(canary)) throw new UsageError('UNKNOWN_HOST', `--canary ${canary}: no delivery of this secret names that host`, { hint: `hosts: ${hosts.join(', ')}` });
  const rest = hosts.filter((h) => h !== canary);
  const waves: string[][] = canary !== undefined ? [[canary]] : [];
  for (let i = 0; i < rest.length; i += perWave) waves.push(rest.slice(i, i + perWave));
  return waves;
}
