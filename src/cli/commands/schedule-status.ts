import { ExitCode } from '../../core/exit-codes.js';
import { defineCommand } from './define.js';
import { loadPolicy } from './context.js';
import { managerOf } from './schedule-spec.js';

export const scheduleStatus = defineCommand({
  words: 'schedule status',
  usage: '[systemd|launchd]',
  summary: "the timer's next and last run (from the user service manager) and the last `rotate --due` outcome (from the audit log)",
  example: 'rekey schedule status --json',
  options: {},
  stateful: true,
  async run(c) {
    const m = await managerOf(c.a.positionals[0]);
    const { SCHEDULE_UNIT } = await import('../../../providers/services/render-schedule.js');
    const policy = await loadPolicy(c.a.global.policy, c.io.env.HOME);
    const deps = c.depsFor(policy);
    const svc = deps.service(m.timerService as never);
    const st = await svc.timerStatus!(m.timerService.unit, `${SCHEDULE_UNIT}.service`, deps.signal);
    const records = await deps.audit.read().catch(() => []);
    const lastRotation = records.filter((r) => r.command === 'rotate').at(-1) ?? null;
    c.out(
      `timer: ${st.installed ? 'installed, enabled' : 'NOT installed (rekey schedule install)'}\nnext run: ${st.next ?? 'unknown'}\nlast run: ${st.last ?? 'never'}${st.lastResult ? ` (${st.lastResult}, exit ${st.lastExitCode})` : ''}\nlast rotation: ${lastRotation ? `${lastRotation.secret} ${lastRotation.outcome} at ${lastRotation.at}` : 'none'}\n`,
      { manager: m.word, ...st, lastRotation: lastRotation ? { secret: lastRotation.secret, outcome: lastRotation.outcome, at: lastRotation.at, rotationId: lastRotation.rotationId } : null },
    );
    return st.installed ? ExitCode.ok : ExitCode.unsafe;
  },
});
