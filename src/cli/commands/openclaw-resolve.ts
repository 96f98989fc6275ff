import { UsageError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import type { ResolveRequest } from '../../usecases/resolve.js';
import { defineCommand } from './define.js';
import { loadPolicy } from './context.js';

export const openclawResolve = defineCommand({
  words: 'openclaw resolve',
  usage: '',
  summary: 'an OpenClaw exec secrets provider: ids <env>/<agent>/<VAR> on stdin (JSON), values on stdout',
  example: 'echo \'{"protocolVersion":1,"ids":["prod/main/ANTHROPIC_API_KEY"]}\' | rekey openclaw resolve',
  options: {},
  stateful: false,
  async run({ a, io, depsFor, log }) {
    // an OpenClaw exec secrets provider: JSON request on stdin, JSON response on stdout, nothing else there
    let req: ResolveRequest;
    try {
      req = JSON.parse((await io.readStdin()).toString('utf8')) as ResolveRequest;
      if (!Array.isArray(req.ids) || req.ids.some((x) => typeof x !== 'string')) throw new Error('ids');
    } catch {
      throw new UsageError('RESOLVE_BAD_REQUEST', 'rekey openclaw resolve reads {"protocolVersion":1,"ids":[…]} on stdin (OpenClaw exec SecretRef protocol)');
    }
    if (req.protocolVersion !== 1) throw new UsageError('RESOLVE_PROTOCOL', `protocolVersion ${String(req.protocolVersion)} is not supported (1 is)`);
    const { resolveIds } = await import('../../usecases/resolve.js');
    const policy = await loadPolicy(a.global.policy, io.env.HOME);
    const { fingerprints, ...res } = await resolveIds(policy, req, depsFor(policy));
    for (const [id, fp] of Object.entries(fingerprints)) log.info({ id, fingerprint: fp }, 'resolved for OpenClaw');
    io.stdout(JSON.stringify(res) + '\n');
    return ExitCode.ok;
  },
});
