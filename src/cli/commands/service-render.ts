import { UsageError, isRekeyError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { resolve } from 'node:path';
import { defineCommand, TARGET } from './define.js';
import { loadPolicy } from './context.js';
import { managerOf } from './schedule-spec.js';

export const serviceRender = defineCommand({
  words: 'service render',
  usage: 'systemd|launchd --agent A --env E [--out FILE] [--label L] -- CMD…',
  summary: 'print a unit / LaunchAgent plist whose command goes through rekey exec',
  example: 'rekey service render systemd --agent main --env prod -- openclaw gateway run',
  options: {
    ...TARGET,
    out: { type: 'string', value: 'FILE', help: 'write it atomically, mode 0600, instead of stdout' },
    label: { type: 'string', value: 'L', help: 'launchd Label / unit description (default ai.openclaw.gateway)' },
  },
  stateful: false,
  async run({ a, io, out, depsFor, home, childArgv }, opts) {
    const { agent, env } = opts;
    const manager = await managerOf(a.positionals[0], 'a Gateway unit', { command: 'rekey service render', example: serviceRender.example });
    if (!agent || !env || childArgv.length === 0) throw new UsageError('BAD_ARGUMENTS', 'rekey service render needs --agent, --env and a command after --');
    const [{ assertSafeTarget, atomicWrite }, { resolveExecEnv }] = await Promise.all([
      import('../../io/atomic-write.js'),
      import('../../usecases/exec-env.js'),
    ]);
    const policy = await loadPolicy(a.global.policy, io.env.HOME);
    await resolveExecEnv(policy, { agent, env }, depsFor(policy)).catch((e: unknown) => {
      // the items may not exist yet (first rotation after install); every other problem is real
      if (!isRekeyError(e) || e.code !== 'EXEC_CREDENTIAL_MISSING') throw e;
    });
    const self = io.self ?? [process.execPath, process.argv[1] ?? 'rekey'];
    const argv = [...self, 'exec', '--policy', resolve(a.global.policy), ...(a.global.home ? ['--home', resolve(a.global.home)] : []), '--agent', agent, '--env', env, '--', ...childArgv];
    const unitEnv: Record<string, string> = { PATH: io.env.PATH ?? '/usr/bin:/bin', REKEY_HOME: home };
    const text = manager.gatewayUnit({ label: opts.label, argv, env: unitEnv, home: io.env.HOME });
    if (!opts.out) {
      io.stdout(text);
      return ExitCode.ok;
    }
    await assertSafeTarget(resolve(opts.out), process.getuid?.() ?? 0);
    await atomicWrite(resolve(opts.out), Buffer.from(text, 'utf8'), { mode: 0o600 });
    out(`wrote ${opts.out} (0600)\n`, { file: opts.out, manager: manager.word, argv });
    return ExitCode.ok;
  },
});
