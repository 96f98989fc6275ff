import { renderLaunchdPlist, renderSystemdUnit } from '../../../providers/services/render-units.js';
import { UsageError, isRekeyError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { assertSafeTarget, atomicWrite } from '../../io/atomic-write.js';
import { resolveExecEnv } from '../../usecases/exec-env.js';
import { resolve } from 'node:path';
import { type CommandContext, loadPolicy, str } from './context.js';

/** rekey service render */
export async function serviceRender({ a, io, out, depsFor, home, childArgv }: CommandContext): Promise<number> {
  const manager = a.positionals[0];
  const agent = str(a.flags.agent);
  const env = str(a.flags.env);
  if (manager !== 'systemd' && manager !== 'launchd') throw new UsageError('BAD_ARGUMENTS', 'rekey service render needs systemd or launchd', { hint: 'rekey service render launchd --agent main --env prod -- openclaw gateway run' });
  if (!agent || !env || childArgv.length === 0) throw new UsageError('BAD_ARGUMENTS', 'rekey service render needs --agent, --env and a command after --');
  const policy = await loadPolicy(a.global.policy, io.env.HOME);
  await resolveExecEnv(policy, { agent, env }, depsFor(policy)).catch((e: unknown) => {
    // the items may not exist yet (first rotation after install); every other problem is real
    if (!isRekeyError(e) || e.code !== 'EXEC_CREDENTIAL_MISSING') throw e;
  });
  const self = io.self ?? [process.execPath, process.argv[1] ?? 'rekey'];
  const argv = [...self, 'exec', '--policy', resolve(a.global.policy), ...(a.global.home ? ['--home', resolve(a.global.home)] : []), '--agent', agent, '--env', env, '--', ...childArgv];
  const unitEnv: Record<string, string> = { PATH: io.env.PATH ?? '/usr/bin:/bin', REKEY_HOME: home };
  const label = str(a.flags.label) ?? (manager === 'launchd' ? 'ai.openclaw.gateway' : 'OpenClaw Gateway');
  const text =
    manager === 'launchd'
      ? renderLaunchdPlist({ label, argv, env: unitEnv, logDir: `${io.env.HOME ?? '~'}/Library/Logs/rekey` })
      : renderSystemdUnit({ label, argv, env: unitEnv });
  const outFile = str(a.flags.out);
  if (!outFile) {
    io.stdout(text);
    return ExitCode.ok;
  }
  await assertSafeTarget(resolve(outFile), process.getuid?.() ?? 0);
  await atomicWrite(resolve(outFile), Buffer.from(text, 'utf8'), { mode: 0o600 });
  out(`wrote ${outFile} (0600)\n`, { file: outFile, manager, argv });
  return ExitCode.ok;
}
