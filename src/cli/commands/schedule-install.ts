import { ExitCode } from '../../core/exit-codes.js';
import { defineCommand } from './define.js';
import { loadPolicy } from './context.js';
import { managerOf, scheduleSpec } from './schedule-spec.js';

export const scheduleInstall = defineCommand({
  words: 'schedule install',
  usage: '[systemd|launchd]',
  summary: 'write the timer of `rekey rotate --due` atomically and enable it through the user service manager',
  example: 'rekey schedule install systemd',
  options: {},
  stateful: false,
  async run(c) {
    const m = managerOf(c.a.positionals[0]);
    const { renderLaunchdSchedule, renderSystemdSchedule, SCHEDULE_LABEL, SCHEDULE_UNIT, timerService } = await import('../../../providers/services/render-schedule.js');
    const policy = await loadPolicy(c.a.global.policy, c.io.env.HOME);
    const deps = c.depsFor(policy);
    const spec = await scheduleSpec(c, policy);
    const svc = deps.service(timerService(m) as never);
    const files =
      m === 'systemd'
        ? (({ service, timer }) => [
            { name: `${SCHEDULE_UNIT}.service`, text: service },
            { name: `${SCHEDULE_UNIT}.timer`, text: timer },
          ])(renderSystemdSchedule(spec))
        : [{ name: `${SCHEDULE_LABEL}.plist`, text: renderLaunchdSchedule({ ...spec, logDir: `${c.io.env.HOME ?? '~'}/Library/Logs/rekey`, utcOffsetMinutes: -new Date().getTimezoneOffset() }) }];
    const written = await svc.installTimer!(files, m === 'systemd' ? `${SCHEDULE_UNIT}.timer` : SCHEDULE_LABEL, deps.signal);
    c.out(`installed and enabled: ${written.join(', ')}\nit runs: ${spec.argv.join(' ')}\n`, { manager: m, written, argv: spec.argv });
    return ExitCode.ok;
  },
});
