import { ExitCode } from '../../core/exit-codes.js';
import { defineCommand } from './define.js';
import { loadPolicy } from './context.js';

export const retire = defineCommand({
  words: 'retire',
  usage: '--due [--json]',
  summary: 'retire upstream the old credentials whose grace period (policy retire.after) has passed; verified, audited',
  example: 'rekey retire --due',
  options: { due: { type: 'boolean', help: 'every retirement that is due (the only mode: retirements are planned by promotes)' } },
  stateful: true,
  async run({ a, io, out, depsFor }, opts) {
    const { UsageError } = await import('../../core/errors.js');
    if (!opts.due) throw new UsageError('BAD_ARGUMENTS', 'rekey retire runs the retirements promotes planned: rekey retire --due', { hint: 'rekey retire --due' });
    const [{ retireDue }, { renderRetirements }] = await Promise.all([import('../../usecases/retire.js'), import('../render.js')]);
    const policy = await loadPolicy(a.global.policy, io.env.HOME);
    const deps = depsFor(policy);
    await deps.audit.ready?.();
    const rs = await retireDue(policy, deps);
    const failed = rs.filter((r) => r.outcome === 'failed').length;
    const done = rs.filter((r) => r.outcome === 'retired' || r.outcome === 'not-found').length;
    out(`retire --due: ${done} retired, ${failed} failed, ${rs.length - done - failed} not due yet\n${renderRetirements(rs).join('\n')}${rs.length ? '\n' : ''}`, { retirements: rs });
    return failed ? ExitCode.backend : ExitCode.ok;
  },
});
