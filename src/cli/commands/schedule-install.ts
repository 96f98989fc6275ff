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
    const m = await managerOf(c.a.positionals[0]);
    const policy = await loadPolicy(c.a.global.policy, c.io.env.HOME);
    const deps = c.depsFor(policy);
    const spec = await scheduleSpec(c, policy);
    const svc = deps.service(m.timerService as never);
    const written = await svc.installTimer!(m.scheduleFiles(spec, c.io.env.HOME), m.timerService.unit, deps.signal);
    c.out(`installed and enabled: ${written.join(', ')}\nit runs: ${spec.argv.join(' ')}\n`, { manager: m.word, written, argv: spec.argv });
    return ExitCode.ok;
  },
});
