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
    const m = await managerOf(c.a.positionals[0]);
    const { printFiles } = await import('../../../providers/services/host-managers.js');
    const policy = await loadPolicy(c.a.global.policy, c.io.env.HOME);
    const files = m.scheduleFiles(await scheduleSpec(c, policy), c.io.env.HOME);
    c.out(printFiles(files), { manager: m.word, files: Object.fromEntries(files.map((f) => [f.name, f.text])) });
    return ExitCode.ok;
  },
});
