import { UsageError } from '../../core/errors.js';
import { AGENT, defineCommand, ENV, SCRUB } from './define.js';
import { type CommandContext, loadPolicy, requireSecret } from './context.js';

export const rotate = defineCommand({
  words: 'rotate',
  usage: '<secret> [--env E] [--agent A] [--dry-run] [--take-over-pending] [--scrub] [--this-host-only] | --due [--dry-run] | <secret> --fleet [--canary HOST] [--max-parallel N] [--wave-timeout 10m] [--allow-missing N] | <secret> --fleet --abort',
  summary: 'one rotation: stage, deliver, restart, verify at the consumer, promote (or roll back); --due: every secret past its maxAge, in the policy windows',
  example: 'rekey rotate anthropic --env prod --dry-run',
  options: {
    env: ENV,
    agent: AGENT,
    'dry-run': { type: 'boolean', help: 'every check the real run makes, nothing written' },
    'take-over-pending': { type: 'boolean', help: 'adopt a pending version left by another, dead rotation' },
    scrub: SCRUB,
    'this-host-only': { type: 'boolean', help: 'promote a ref other hosts read too after verifying this host alone (they keep the old value until their `rekey agent` runs); without it such a rotation is refused: use --fleet' },
    due: { type: 'boolean', help: 'rotate every secret × env due on this host (maxAge, lead time, windows, jitter); exit 0 when everything due was rotated' },
    'max-parallel': { type: 'string', value: 'N', help: 'restart and verify up to N consumers side by side (default 1); with --due: rotate up to N secrets side by side when they share no unit; with --fleet: hosts per wave (default 10)' },
    fleet: { type: 'boolean', help: "every host the secret's deliveries name, through the backend: stage, open waves, wait for each host's agent to deliver and verify, promote (or abort: every host rolls back)" },
    canary: { type: 'string', value: 'HOST', help: 'with --fleet: this host alone in the first wave' },
    'wave-timeout': { type: 'string', value: 'D', help: 'with --fleet: how long a wave may take (90s, 10m, 1h; default 10m)' },
    'allow-missing': { type: 'string', value: 'N', help: 'with --fleet: promote even if up to N hosts never answered (they converge later; default 0: a silent host aborts)' },
    poll: { type: 'string', value: 'D', help: "with --fleet: how often to read the hosts' acknowledgements (default 5s)" },
    abort: { type: 'boolean', help: "with --fleet: end the secret's open rollout now (its coordinator died, or you changed your mind): pending discarded, hosts put their consumers back" },
  },
  stateful: true,
  async run(c, opts) {
    const { a, io, json, out, depsFor, filter, ownersOnDisk } = c;
    const n = Number(opts['max-parallel'] ?? '1');
    if (!Number.isInteger(n) || n < 1 || n > 64) throw new UsageError('BAD_ARGUMENTS', '--max-parallel takes a whole number from 1 to 64');
    if (opts.due && opts['this-host-only']) throw new UsageError('BAD_ARGUMENTS', '--this-host-only goes with rekey rotate <secret>, not --due');
    if (opts.due) return rotateDueCmd(c, opts['dry-run'] === true, n);
    if (opts.fleet && opts['this-host-only']) throw new UsageError('BAD_ARGUMENTS', '--this-host-only and --fleet exclude each other');
    if (opts.fleet) return rotateFleetCmd(c, opts);
    for (const o of ['canary', 'wave-timeout', 'allow-missing', 'poll', 'abort'] as const) if (opts[o] !== undefined) throw new UsageError('BAD_ARGUMENTS', `--${o} goes with --fleet`);
    const [{ rotate: rotateSecret }, { renderPlan, renderReport }] = await Promise.all([import('../../usecases/rotate.js'), import('../render.js')]);
    const policy = await loadPolicy(a.global.policy, io.env.HOME);
    const deps = depsFor(policy);
    await ownersOnDisk(policy, deps);
    const r = await rotateSecret(policy, requireSecret(a), filter, { dryRun: opts['dry-run'] === true, takeOverPending: opts['take-over-pending'] === true, scrub: opts.scrub === true, maxParallel: n, thisHostOnly: opts['this-host-only'] === true }, deps);
    if (!json && r.dryRun) io.stdout(renderPlan(r.plan, deps.planContext.adapters));
    out(renderReport(r), r);
    return r.exitCode;
  },
});

/** 90s, 10m, 1h */
export function parseDuration(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const m = /^([1-9][0-9]{0,6})(ms|s|m|h)$/.exec(text);
  if (!m) throw new UsageError('BAD_ARGUMENTS', `--${flag} ${text}: a duration such as 500ms, 90s, 10m or 1h`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 's'];
}

/** rekey rotate <secret> --fleet: the coordinator */
async function rotateFleetCmd({ a, io, out, depsFor, filter }: CommandContext, opts: { canary?: string | undefined; 'max-parallel'?: string | undefined; 'wave-timeout'?: string | undefined; 'allow-missing'?: string | undefined; poll?: string | undefined; 'dry-run'?: boolean | undefined; abort?: boolean | undefined }): Promise<number> {
  if (opts.abort) {
    for (const o of ['canary', 'max-parallel', 'wave-timeout', 'allow-missing', 'poll'] as const) if (opts[o] !== undefined) throw new UsageError('BAD_ARGUMENTS', `--${o} does not go with --abort`);
    const { abortRollout } = await import('../../usecases/fleet/abort.js');
    const policy = await loadPolicy(a.global.policy, io.env.HOME);
    const r = await abortRollout(policy, requireSecret(a), filter, { dryRun: opts['dry-run'] === true }, depsFor(policy));
    out(`${r.message}\n`, r);
    return r.exitCode;
  }
  const perWave = Number(opts['max-parallel'] ?? '10');
  if (!Number.isInteger(perWave) || perWave < 1 || perWave > 1000) throw new UsageError('BAD_ARGUMENTS', '--max-parallel with --fleet takes a whole number of hosts per wave from 1 to 1000');
  const allowMissing = Number(opts['allow-missing'] ?? '0');
  if (!Number.isInteger(allowMissing) || allowMissing < 0) throw new UsageError('BAD_ARGUMENTS', '--allow-missing takes a whole number of hosts (0 or more)');
  const { rotateFleet } = await import('../../usecases/fleet/coordinator.js');
  const policy = await loadPolicy(a.global.policy, io.env.HOME);
  const deps = depsFor(policy);
  const r = await rotateFleet(
    policy,
    requireSecret(a),
    filter,
    { canary: opts.canary, maxParallel: perWave, waveTimeoutMs: parseDuration('wave-timeout', opts['wave-timeout'], 600_000), allowMissing, pollMs: parseDuration('poll', opts.poll, 5000), dryRun: opts['dry-run'] === true },
    deps,
  );
  const waves = r.waves.map((w, k) => `  wave ${k}: ${w.join(', ')}\n`).join('');
  const hosts = r.hosts.map((h) => `  ${h.host} (wave ${h.wave}): ${h.state}${Object.keys(h.fingerprints).length ? ` ${Object.values(h.fingerprints).join(', ')}` : ''}${h.at ? ` at ${h.at}` : ''}${h.reason ? ` — ${h.reason}` : ''}\n`).join('');
  out(`${r.message}\n${r.rollout ? `rollout ${r.seq} (${r.rollout})\n` : ''}${waves}${hosts}`, r);
  return r.exitCode;
}

/** rekey rotate --due: what the timer runs */
async function rotateDueCmd({ a, io, out, depsFor, ownersOnDisk }: CommandContext, dryRun: boolean, maxParallel: number): Promise<number> {
  if (a.positionals.length) throw new UsageError('BAD_ARGUMENTS', 'rekey rotate --due takes no secret: it rotates every secret that is due', { hint: 'rekey rotate <secret> rotates one now' });
  const [{ rotateDue, dueStates }, { writeMetrics }] = await Promise.all([import('../../usecases/due.js'), import('./metrics-file.js')]);
  const policy = await loadPolicy(a.global.policy, io.env.HOME);
  const deps = depsFor(policy);
  await ownersOnDisk(policy, deps);
  const due = await rotateDue(policy, { dryRun, maxParallel }, deps);
  // the scheduled job also ends expired CI leases (policy `ci:`)
  const reap = policy.ci ? await (await import('./ci-lease.js')).scheduledReap(policy, deps, dryRun) : null;
  const r = { ...due, exitCode: due.exitCode || (reap?.exitCode ?? 0) };
  const metrics = dryRun ? null : await writeMetrics(policy, deps, await dueStates(policy, deps), { command: 'rotate --due', exitCode: r.exitCode });
  const { notifyRun } = await import('../../usecases/notify.js');
  const event = { event: 'rekey.run' as const, command: 'rotate --due', host: deps.planContext.hostname, at: deps.clock.now().toISOString(), exitCode: r.exitCode, items: r.items.map(({ createdAt: _c, refs: _r, ...i }) => i) };
  const notified = dryRun ? null : await notifyRun(policy, event, deps);
  const lines = r.items.map((i) => `  ${i.secret} × ${i.env}: ${i.outcome.replace(/^skipped-/, 'skipped: ')}${i.state !== 'ok' ? ` (${i.state}${i.dueAt ? `, due ${i.dueAt}` : ''})` : ''}${i.detail && i.outcome !== 'not-due' ? ` — ${i.detail}` : ''}\n`);
  out(`${dryRun ? 'dry run: ' : ''}rotate --due (${r.items.filter((i) => i.outcome !== 'not-due').length} of ${r.items.length} due)\n${lines.join('')}${r.retirements.map((x) => `  retire ${x.fingerprint} (${x.ref}): ${x.outcome}${x.detail ? ` — ${x.detail}` : ''}\n`).join('')}${reap?.lines ?? ''}${metrics ? `metrics: ${metrics}\n` : ''}${notified?.failed.map((f) => `notification to ${f.to} failed: ${f.reason}\n`).join('') ?? ''}`, { dryRun, exitCode: r.exitCode, items: r.items, retirements: r.retirements, ...(reap ? { ciLeases: reap.report } : {}), metrics, notified });
  return r.exitCode;
}
