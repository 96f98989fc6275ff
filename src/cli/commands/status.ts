import { ExitCode } from '../../core/exit-codes.js';
import { AGENT, defineCommand, ENV, SKIP_SOURCES } from './define.js';
import { loadPolicy } from './context.js';

export const status = defineCommand({
  words: 'status',
  usage: '[<secret>] [--env E] [--agent A] [--skip-sources]',
  summary: 'versions and stages (fingerprints only), last outcome, unfinished rotations, locks',
  example: 'rekey status anthropic --json',
  options: { env: ENV, agent: AGENT, 'skip-sources': SKIP_SOURCES },
  stateful: true,
  async run({ a, io, out, depsFor, filter }, opts) {
    const [{ renderWide, wideFiles }, { sinkTouches }, { planRotation }, { shadowReports }, { status: statusOf }, { renderSources, renderStatus }] = await Promise.all([
      import('../../io/file-modes.js'),
      import('../../plan/blast-radius.js'),
      import('../../plan/planner.js'),
      import('../../usecases/preflight.js'),
      import('../../usecases/status.js'),
      import('../render.js'),
    ]);
    const policy = await loadPolicy(a.global.policy, io.env.HOME);
    const deps = depsFor(policy);
    const secret = a.positionals[0];
    const s = await statusOf(policy, secret, deps);
    // with a secret named: which source really wins for each of its targets here
    const sources = secret && !opts['skip-sources'] ? await shadowReports(planRotation(policy, secret, filter, deps.planContext), deps, { tolerant: true }) : [];
    const names = secret ? [secret] : Object.keys(policy.secrets);
    const wide = await wideFiles(names.flatMap((n) => planRotation(policy, n, filter, deps.planContext).targets.flatMap((t) => sinkTouches(t, deps.planContext.adapters).files)));
    const chain = await deps.audit.verify?.().catch(() => null);
    const chainWarning = chain && !chain.ok ? `WARNING: the audit log's hash chain is broken at line ${chain.broken!.line}: ${chain.broken!.reason} (rekey audit verify)\n` : '';
    out(renderStatus(s) + renderSources(sources) + renderWide(wide) + chainWarning, { secrets: s, sources, wideFiles: wide, auditChain: chain });
    return ExitCode.ok;
  },
});
