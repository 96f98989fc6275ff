import { ExitCode } from '../../core/exit-codes.js';
import { AGENT, defineCommand, ENV, SKIP_SOURCES } from './define.js';
import { type CommandContext, loadPolicy } from './context.js';

export const status = defineCommand({
  words: 'status',
  usage: '[<secret>] [--env E] [--agent A] [--skip-sources] [--check] [--fleet]',
  summary: 'versions and stages (fingerprints only), last outcome, unfinished rotations, locks',
  example: 'rekey status anthropic --json',
  options: {
    env: ENV,
    agent: AGENT,
    'skip-sources': SKIP_SOURCES,
    fleet: { type: 'boolean', help: "per fleet secret: its latest rollout, and per host what it last acknowledged, when, and how far behind the current version it is" },
    check: { type: 'boolean', help: 'for monitoring: every secret × env with its age and due date; exit 0 ok, 1 expired or missing, 2 expiring within the lead time or a standby pool below minStandby' },
  },
  stateful: true,
  async run(c, opts) {
    if (opts.check) return statusCheck(c);
    if (opts.fleet) return statusFleet(c);
    const { a, io, out, depsFor, filter } = c;
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

/** rekey status --fleet */
async function statusFleet({ a, io, out, depsFor }: CommandContext): Promise<number> {
  const { fleetStatus } = await import('../../usecases/fleet/status.js');
  const policy = await loadPolicy(a.global.policy, io.env.HOME);
  const deps = depsFor(policy);
  const all = await fleetStatus(policy, a.positionals[0], deps);
  const ago = (ms: number) => (ms < 120_000 ? `${Math.round(ms / 1000)}s` : ms < 7_200_000 ? `${Math.round(ms / 60_000)}m` : `${(ms / 3_600_000).toFixed(1)}h`);
  const text = all
    .map((s) => {
      const cur = Object.entries(s.current).map(([ref, c]) => `${ref} ${c ? c.fingerprint : '(none)'}`).join(', ');
      const r = s.rollout ? `  rollout ${s.rollout.seq}: ${s.rollout.state}${s.rollout.state === 'open' ? `, wave ${s.rollout.opened} of ${s.rollout.waves.length} open` : ` at ${s.rollout.endedAt}`}${s.rollout.reason ? ` — ${s.rollout.reason}` : ''}${s.rollout.missing ? ` (missing: ${s.rollout.missing.join(', ')})` : ''}\n` : '  no rollout yet\n';
      const hosts = s.hosts
        .map((h) => `  ${h.host}: ${h.last ? `${h.last.what} ${Object.values(h.last.fingerprints).join(', ') || ''} (rollout ${h.last.seq}) ${ago(deps.clock.now().getTime() - Date.parse(h.last.at))} ago` : 'never acknowledged'}; ${h.current ? 'on the current version' : `BEHIND${h.lagMs !== null ? ` for ${ago(h.lagMs)}` : ''}`}${h.lastContact ? `; last contact ${ago(deps.clock.now().getTime() - Date.parse(h.lastContact))} ago` : ''}${h.last?.reason ? ` — ${h.last.reason}` : ''}\n`)
        .join('');
      return `${s.secret} (${s.backend}): current ${cur}\n${r}${hosts}`;
    })
    .join('');
  out(text || 'no secret has deliveries naming hosts\n', { fleet: all });
  return ExitCode.ok;
}

/** rekey status --check: exit codes in the style of `openclaw models status --check` */
async function statusCheck({ a, io, out, depsFor }: CommandContext): Promise<number> {
  const [{ dueStates }, { writeMetrics }] = await Promise.all([import('../../usecases/due.js'), import('./metrics-file.js')]);
  const policy = await loadPolicy(a.global.policy, io.env.HOME);
  const deps = depsFor(policy);
  const only = a.positionals[0];
  const states = (await dueStates(policy, deps)).filter((s) => !only || s.secret === only);
  const now = deps.clock.now().getTime();
  const low = (s: (typeof states)[number]) => s.standby !== undefined && s.standby.depth < s.standby.min;
  const code = states.some((s) => s.state === 'expired' || s.state === 'missing') ? 1 : states.some((s) => s.state === 'expiring' || low(s)) ? 2 : ExitCode.ok;
  const metrics = await writeMetrics(policy, deps, states, { command: 'status --check', exitCode: code });
  const age = (s: (typeof states)[number]) => {
    const oldest = Object.values(s.createdAt).filter((x): x is string => x !== null).sort()[0];
    return oldest ? `${((now - Date.parse(oldest)) / 86_400_000).toFixed(1)} d` : 'no current version';
  };
  out(
    states
      .map((s) => {
        const pool = s.standby && (s.standby.min > 0 || s.standby.depth > 0) ? `, standby ${s.standby.depth}${s.standby.min ? `/${s.standby.min}` : ''}${low(s) ? ' (LOW: below minStandby)' : ''}` : '';
        return `${s.state.toUpperCase().padEnd(9)} ${s.secret} × ${s.env}: age ${age(s)}${s.dueAt ? `, due ${s.dueAt}` : ', no maxAge'}${pool}\n`;
      })
      .join('') + (metrics ? `metrics: ${metrics}\n` : ''),
    { ok: code === 0, exitCode: code, secrets: states, metrics },
  );
  return code;
}
