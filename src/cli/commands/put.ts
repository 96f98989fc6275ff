import { UsageError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { SecretValue } from '../../core/secret-value.js';
import { put } from '../../usecases/put.js';
import { rotate } from '../../usecases/rotate.js';
import { MAX_VALUE_BYTES, decodeSecretInput } from '../secret-input.js';
import { type CommandContext, loadPolicy, requireSecret } from './context.js';

/** rekey put */
export async function putCmd({ a, io, out, depsFor, filter }: CommandContext): Promise<number> {
  // anything after the secret's name may be a key pasted into argv: refused, never echoed
  if (a.positionals.length > 1) throw new UsageError('EXTRA_ARGUMENTS', `rekey put takes one secret name; ${a.positionals.length - 1} more argument(s) were given (not shown: one may be a credential)`, { hint: 'the value comes from stdin only; if you pasted a key on the command line, treat it as exposed (shell history) and rotate it' });
  if (!a.flags.stdin) throw new UsageError('STDIN_REQUIRED', 'rekey put reads the value from stdin only (--stdin): never from argv', { hint: "printf %s \"$KEY\" | rekey put <secret> --env E --stdin" });
  if (io.stdinIsTTY) throw new UsageError('STDIN_IS_TTY', 'stdin is a terminal: pipe the value in instead of typing it', { hint: 'read -rs KEY && printf %s "$KEY" | rekey put <secret> --env E --stdin' });
  const policy = await loadPolicy(a.global.policy, io.env.HOME);
  const raw = decodeSecretInput(await io.readStdin(MAX_VALUE_BYTES + 2), requireSecret(a));
  const r = await put(policy, requireSecret(a), filter, SecretValue.of(raw), depsFor(policy));
  out(`stored ${r.fingerprint} as pending for ${r.refs.join(', ')}; run \`rekey rotate ${r.secret}\` to deliver it\n`, r);
  return ExitCode.ok;
}
