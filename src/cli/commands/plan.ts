import { ExitCode } from '../../core/exit-codes.js';
import { renderWide, wideFiles } from '../../io/file-modes.js';
import { sinkTouches } from '../../plan/blast-radius.js';
import { planRotation } from '../../plan/planner.js';
import { pairedDevices } from '../../usecases/devices.js';
import { pendingReport } from '../../usecases/pending.js';
import { shadowReports } from '../../usecases/preflight.js';
import { renderDevices, renderPlan, renderSources } from '../render.js';
import { type CommandContext, loadPolicy, requireSecret } from './context.js';

/** rekey plan */
export async function planCmd({ a, io, out, depsFor, filter, ownersOnDisk }: CommandContext): Promise<number> {
  const policy = await loadPolicy(a.global.policy, io.env.HOME);
  const deps = depsFor(policy);
  const plan = planRotation(policy, requireSecret(a), filter, deps.planContext);
  await ownersOnDisk(policy, deps);
  const backendState = await pendingReport(plan, deps);
  const sources = a.flags['skip-sources'] ? [] : await shadowReports(plan, deps, { tolerant: true });
  const devices = await pairedDevices(plan, deps);
  const probes = (await deps.audit.read().catch(() => [])).flatMap((r) => r.probes ?? []).filter((p) => plan.refs.includes(p.ref));
  const lastProbes = plan.refs.map((ref) => probes.filter((p) => p.ref === ref).at(-1)).filter((p) => p !== undefined);
  const probeLines = lastProbes.map((p) => `  last probe of ${p.ref}: ${p.fingerprint} ${p.result} at ${p.at} (${p.detail})`).join('\n');
  const wide = await wideFiles(plan.targets.flatMap((t) => sinkTouches(t, deps.planContext.adapters).files));
  out(
    renderPlan(plan, deps.planContext.adapters, deps.planContext.hostname) + renderSources(sources) + renderDevices(devices) + `\nbackend (${plan.backend}):\n${backendState.map((n) => `  ${n}`).join('\n')}\n${probeLines ? probeLines + '\n' : ''}` + renderWide(wide),
    { ...plan, backendState, sources, pairedDevices: devices, lastProbes, wideFiles: wide },
  );
  return ExitCode.ok;
}
