import { InternalError, UsageError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { resolveExecEnv } from '../../usecases/exec-env.js';
import { type CommandContext, loadPolicy, str } from './context.js';

/** rekey exec */
export async function execCmd({ a, io, out, depsFor, log, childArgv }: CommandContext): Promise<number> {
  const agent = str(a.flags.agent);
  const env = str(a.flags.env);
  if (!agent || !env) throw new UsageError('EXEC_NEEDS_TARGET', 'rekey exec needs --agent A and --env E', { hint: 'rekey exec --agent main --env prod -- openclaw gateway run' });
  if (childArgv.length === 0 && !a.flags['dry-run']) throw new UsageError('EXEC_NEEDS_COMMAND', 'rekey exec needs a command after --', { hint: 'rekey exec --agent main --env prod -- openclaw gateway run' });
  const policy = await loadPolicy(a.global.policy, io.env.HOME);
  const deps = depsFor(policy);
  const secrets = a.positionals.length ? a.positionals : undefined;
  const { vars, sources } = await resolveExecEnv(policy, { agent, env, secrets }, deps);
  for (const s of sources) log.info({ envVar: s.envVar, from: s.from, fingerprint: s.fingerprint, target: s.target }, 'exec: injecting credential');
  if (a.flags['dry-run']) {
    out(sources.map((s) => `${s.envVar} ← ${s.from} (${s.fingerprint})\n`).join(''), { command: childArgv, sources });
    return ExitCode.ok;
  }
  if (io.runChild === undefined) throw new InternalError('rekey exec needs a process to run the command in');
  const childEnv: NodeJS.ProcessEnv = { ...io.env };
  for (const [k, v] of Object.entries(vars)) childEnv[k] = v.reveal();
  return await io.runChild(childArgv, childEnv);
}
