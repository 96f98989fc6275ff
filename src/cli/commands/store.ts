import { UsageError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { defineCommand } from './define.js';
import { loadPolicy } from './context.js';

export const store = defineCommand({
  words: 'store',
  usage: '<backend> <ref> --stdin',
  summary: "store a credential rekey itself uses (an issuer's admin key, a webhook's HMAC key) as the current version of a backend ref, read from stdin only",
  example: 'printf %s "$ANTHROPIC_ADMIN_KEY" | rekey store local rekey/anthropic-admin --stdin',
  options: { stdin: { type: 'boolean', help: 'read the value from stdin (required; a terminal is refused)' } },
  stateful: true,
  async run({ a, io, out, depsFor }, opts) {
    const [backend, ref, ...extra] = a.positionals;
    if (extra.length) throw new UsageError('EXTRA_ARGUMENTS', `rekey store takes a backend and a ref; ${extra.length} more argument(s) were given (not shown: one may be a credential)`, { hint: 'the value comes from stdin only; a credential typed on a command line is exposed: rotate it' });
    if (!backend || !ref) throw new UsageError('BAD_ARGUMENTS', 'rekey store needs a backend name and a ref', { hint: 'printf %s "$KEY" | rekey store local rekey/anthropic-admin --stdin' });
    if (!opts.stdin) throw new UsageError('STDIN_REQUIRED', 'rekey store reads the value from stdin only (--stdin): never from argv');
    if (io.stdinIsTTY) throw new UsageError('STDIN_IS_TTY', 'stdin is a terminal: pipe the value in instead of typing it');
    const [{ SecretValue }, { storeOwnSecret }, { MAX_VALUE_BYTES, decodeSecretInput }] = await Promise.all([import('../../core/secret-value.js'), import('../../usecases/store.js'), import('../secret-input.js')]);
    const policy = await loadPolicy(a.global.policy, io.env.HOME);
    const raw = decodeSecretInput(await io.readStdin(MAX_VALUE_BYTES + 2), `${backend}:${ref}`);
    const r = await storeOwnSecret(policy, backend, ref, SecretValue.of(raw), depsFor(policy));
    out(`stored ${r.fingerprint} at ${r.backend}:${r.ref}${r.previous ? ` (was ${r.previous})` : ''}\n`, r);
    return ExitCode.ok;
  },
});
