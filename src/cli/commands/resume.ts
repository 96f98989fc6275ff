import { ExitCode } from '../../core/exit-codes.js';
import { resumeAll } from '../../usecases/resume.js';
import { renderReport } from '../render.js';
import { type CommandContext, loadPolicy } from './context.js';

/** rekey resume */
export async function resume({ a, io, out, depsFor }: CommandContext): Promise<number> {
  const policy = await loadPolicy(a.global.policy, io.env.HOME);
  const reports = await resumeAll(policy, depsFor(policy));
  if (reports.length === 0) {
    out('nothing to resume: every rotation in the journal has finished\n', { resumed: [] });
    return ExitCode.ok;
  }
  out(reports.map(renderReport).join(''), { resumed: reports });
  return Math.max(...reports.map((r) => r.exitCode));
}
