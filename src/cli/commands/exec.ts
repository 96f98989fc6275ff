import { InternalError, UsageError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { defineCommand, TARGET } from './define.js';
import { loadPolicy } from './context.js';

export const exec = defineCommand({
  words: 'exec',
  usage: '--agent A --env E [--dry-run] [<secret>…] -- CMD…',
  summary: "run CMD with that target's credentials (keychain, env file) in its environment only",
  example: 'rekey exec --agent main --env prod -- openclaw gateway run',
  options: {
    ...TARGET,
    'dry-run': { type: 'boolean', help: 'list the variables and fingerprints, run nothing' },
  },
  stateful: false,
  async run({ a, io, out, depsFor, log, childArgv }, opts) {
    const { agent, env } = opts;
    if (!agent || !env) throw new UsageError('EXEC_NEEDS_TARGET', 'rekey exec needs --agent A and --env E', { hint: 'rekey exec --agent main --env prod -- openclaw gateway run' });
    if (childArgv.length === 0 && !opts['dry-run']) throw new UsageError('EXEC_NEEDS_COMMAND', 'rekey exec needs a command after --', { hint: 'rekey exec --agent main --env prod -- openclaw gateway run' });
    const { resolveExecEnv } = await import('../../usecases/exec-env.js');
    const policy = await loadPolicy(a.global.policy, io.env.HOME);
    const deps = depsFor(policy);
    const secrets = a.positionals.length ? a.positionals : undefined;
    const { vars, sources } = await resolveExecEnv(policy, { agent, env, secrets }, deps);
    for (const s of sources) log.info({ envVar: s.envVar, from: s.from, fingerprint: s.fingerprint, target: s.target }, 'exec: injecting credential');
    if (opts['dry-run']) {
      out(sources.map((s) => `${s.envVar} ← ${s.from} (${s.fingerprint})\n`).join(''), { command: childArgv, sources });
      return ExitCode.ok;
    }
    if (io.runChild === undefined) throw new InternalError('rekey exec needs a process to run the command in');
    const childEnv: NodeJS.ProcessEnv = { ...io.env };
    for (const [k, v] of Object.entries(vars)) childEnv[k] = v.reveal();
    return await io.runChild(childArgv, childEnv);
  },
});
