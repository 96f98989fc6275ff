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
    const reports = await resumeAll(policy, depsFor(policy));
    if (reports.length === 0) {
      out('nothing to resume: every rotation in the journal has finished\n', { resumed: [] });
      return ExitCode.ok;
    }
    out(reports.map(renderReport).join(''), { resumed: reports });
    return Math.max(...reports.map((r) => r.exitCode));
  },
});
