import { rotate } from '../../usecases/rotate.js';
import { renderPlan, renderReport } from '../render.js';
import { type CommandContext, loadPolicy, requireSecret } from './context.js';

/** rekey rotate */
export async function rotateCmd({ a, io, json, out, depsFor, filter, ownersOnDisk }: CommandContext): Promise<number> {
  const policy = await loadPolicy(a.global.policy, io.env.HOME);
  const deps = depsFor(policy);
  await ownersOnDisk(policy, deps);
  const r = await rotate(policy, requireSecret(a), filter, { dryRun: a.flags['dry-run'] === true, takeOverPending: a.flags['take-over-pending'] === true, scrub: a.flags.scrub === true }, deps);
  if (!json && r.dryRun) io.stdout(renderPlan(r.plan, deps.planContext.adapters));
  out(renderReport(r), r);
  return r.exitCode;
}
