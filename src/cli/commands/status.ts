import { ExitCode } from '../../core/exit-codes.js';
import { renderWide, wideFiles } from '../../io/file-modes.js';
import { sinkTouches } from '../../plan/blast-radius.js';
import { planRotation } from '../../plan/planner.js';
import { shadowReports } from '../../usecases/preflight.js';
import { status } from '../../usecases/status.js';
import { renderSources, renderStatus } from '../render.js';
import { type CommandContext, loadPolicy } from './context.js';

/** rekey status */
export async function statusCmd({ a, io, out, depsFor, filter }: CommandContext): Promise<number> {
  const policy = await loadPolicy(a.global.policy, io.env.HOME);
  const deps = depsFor(policy);
  const s = await status(policy, a.positionals[0], deps);
  // with a secret named: which source really wins for each of its targets here
  const sources = a.positionals[0] && !a.flags['skip-sources'] ? await shadowReports(planRotation(policy, a.positionals[0], filter, deps.planContext), deps, { tolerant: true }) : [];
  const names = a.positionals[0] ? [a.positionals[0]] : Object.keys(policy.secrets);
  const wide = await wideFiles(names.flatMap((n) => planRotation(policy, n, filter, deps.planContext).targets.flatMap((t) => sinkTouches(t, deps.planContext.adapters).files)));
  const chain = await deps.audit.verify?.().catch(() => null);
  const chainWarning = chain && !chain.ok ? `WARNING: the audit log's hash chain is broken at line ${chain.broken!.line}: ${chain.broken!.reason} (rekey audit verify)\n` : '';
  out(renderStatus(s) + renderSources(sources) + renderWide(wide) + chainWarning, { secrets: s, sources, wideFiles: wide, auditChain: chain });
  return ExitCode.ok;
}
