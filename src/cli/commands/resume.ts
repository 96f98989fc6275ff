import { ExitCode } from '../../core/exit-codes.js';
import { defineCommand } from './define.js';
import { loadPolicy } from './context.js';

export const resume = defineCommand({
  words: 'resume',
  usage: '',
  summary: 'finish or roll back every rotation (and adopt / device rotation) interrupted at any step',
  example: 'rekey resume',
  options: {},
  stateful: true,
  async run({ a, io, out, depsFor }) {
    const [{ resumeAll }, { renderReport }] = await Promise.all([import('../../usecases/resume.js'), import('../render.js')]);
    const policy = await loadPolicy(a.global.policy, io.env.HOME);
    const deps = depsFor(policy);
    const reports = await resumeAll(policy, deps);
    // retirements a promote left due (a retirement killed part-way, or an issuer that was down)
    const { retireDue } = await import('../../usecases/retire.js');
    const retired = (await retireDue(policy, deps)).filter((r) => r.outcome !== 'not-due');
    const retireLines = retired.map((x) => `retire ${x.fingerprint} (${x.ref}): ${x.outcome}${x.detail ? ` — ${x.detail}` : ''}\n`).join('');
    const retireCode = retired.some((r) => r.outcome === 'failed') ? ExitCode.backend : ExitCode.ok;
    if (reports.length === 0) {
      out(`nothing to resume: every rotation in the journal has finished\n${retireLines}`, { resumed: [], retirements: retired });
      return retireCode;
    }
    out(reports.map(renderReport).join('') + retireLines, { resumed: reports, retirements: retired });
    return Math.max(retireCode, ...reports.map((r) => r.exitCode));
  },
});
