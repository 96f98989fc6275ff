import { ExitCode } from '../../core/exit-codes.js';
import { defineCommand } from './define.js';
import { loadPolicy } from './context.js';
import { managerOf, scheduleSpec } from './schedule-spec.js';

export const scheduleRender = defineCommand({
  words: 'schedule render',
  usage: 'systemd|launchd',
  summary: 'print the timer that runs `rekey rotate --due` (systemd: service + timer; launchd: a LaunchAgent plist)',
  example: 'rekey schedule render systemd',
  options: {},
  stateful: false,
  async run(c) {
    const m = managerOf(c.a.positionals[0]);
    const { renderLaunchdSchedule, renderSystemdSchedule, SCHEDULE_UNIT } = await import('../../../providers/services/render-schedule.js');
    const policy = await loadPolicy(c.a.global.policy, c.io.env.HOME);
    const spec = await scheduleSpec(c, policy);
    if (m === 'systemd') {
      const u = renderSystemdSchedule(spec);
      c.out(`# ${SCHEDULE_UNIT}.service\n${u.service}\n# ${SCHEDULE_UNIT}.timer\n${u.timer}`, { manager: m, files: { [`${SCHEDULE_UNIT}.service`]: u.service, [`${SCHEDULE_UNIT}.timer`]: u.timer } });
    } else {
      const plist = renderLaunchdSchedule({ ...spec, logDir: `${c.io.env.HOME ?? '~'}/Library/Logs/rekey`, utcOffsetMinutes: -new Date().getTimezoneOffset() });
      c.out(plist, { manager: m, files: { 'dev.rekey.rotate.plist': plist } });
    }
    return ExitCode.ok;
  },
});
