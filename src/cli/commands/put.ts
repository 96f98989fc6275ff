import { UsageError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { AGENT, defineCommand, ENV } from './define.js';
import { loadPolicy, requireSecret } from './context.js';

export const put = defineCommand({
  words: 'put',
  usage: '<secret> --env E [--agent A] [--standby] --stdin',
  summary: 'store a new value, read from stdin only (never argv), as pending for the next rotation',
  example: 'printf %s "$NEW_KEY" | rekey put anthropic --env prod --stdin',
  options: { stdin: { type: 'boolean', help: 'read the value from stdin (required; a terminal is refused)' }, env: { ...ENV, help: 'the environment whose ref gets it' }, agent: { ...AGENT, help: "only that agent's ref" }, standby: { type: 'boolean', help: 'add it to the standby pool instead: drawn by a later rotation that has nothing pending and no issuer that mints' } },
  stateful: true,
  async run({ a, io, out, depsFor, filter }, opts) {
    // anything after the secret's name may be a key pasted into argv: refused, never echoed
    if (a.positionals.length > 1) throw new UsageError('EXTRA_ARGUMENTS', `rekey put takes one secret name; ${a.positionals.length - 1} more argument(s) were given (not shown: one may be a credential)`, { hint: 'the value comes from stdin only; if you pasted a key on the command line, treat it as exposed (shell history) and rotate it' });
    if (!opts.stdin) throw new UsageError('STDIN_REQUIRED', 'rekey put reads the value from stdin only (--stdin): never from argv', { hint: "printf %s \"$KEY\" | rekey put <secret> --env E --stdin" });
    if (io.stdinIsTTY) throw new UsageError('STDIN_IS_TTY', 'stdin is a terminal: pipe the value in instead of typing it', { hint: 'read -rs KEY && printf %s "$KEY" | rekey put <secret> --env E --stdin' });
    const [{ SecretValue }, { put: putValue }, { MAX_VALUE_BYTES, decodeSecretInput }] = await Promise.all([import('../../core/secret-value.js'), import('../../usecases/put.js'), import('../secret-input.js')]);
    const policy = await loadPolicy(a.global.policy, io.env.HOME);
    const raw = decodeSecretInput(await io.readStdin(MAX_VALUE_BYTES + 2), requireSecret(a));
    const r = await putValue(policy, requireSecret(a), filter, SecretValue.of(raw), depsFor(policy), { standby: opts.standby === true });
    if (r.standby) out(`stored ${r.fingerprint} in the standby pool as ${r.standby.id}: ${Object.entries(r.standby.depth).map(([ref, n]) => `${ref} holds ${n}`).join(', ')}\n`, r);
    else out(`stored ${r.fingerprint} as pending for ${r.refs.join(', ')}; run \`rekey rotate ${r.secret}\` to deliver it\n`, r);
    return ExitCode.ok;
  },
});
