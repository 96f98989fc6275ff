import { UsageError } from '../../core/errors.js';
import { AGENT, defineCommand, ENV, SCRUB } from './define.js';
import { type CommandContext, loadPolicy, requireSecret } from './context.js';

export const rotate = defineCommand({
  words: 'rotate',
  usage: '<secret> [--env E] [--agent A] [--dry-run] [--take-over-pending] [--scrub] | --due [--dry-run]',
  summary: 'one rotation: stage, deliver, restart, verify at the consumer, promote (or roll back); --due: every secret past its maxAge, in the policy windows',
  example: 'rekey rotate anthropic --env prod --dry-run',
  options: {
    env: ENV,
    agent: AGENT,
    'dry-run': { type: 'boolean', help: 'every check the real run makes, nothing written' },
    'take-over-pending': { type: 'boolean', help: 'adopt a pending version left by another, dead rotation' },
    scrub: SCRUB,
    due: { type: 'boolean', help: 'rotate every secret × env due on this host (maxAge, lead time, windows, jitter); exit 0 when everything due was rotated' },
    'max-parallel': { type: 'string', value: 'N', help: 'restart and verify up to N consumers side by side (default 1); with --due: rotate up to N secrets side by side when they share no unit' },
  },
  stateful: true,
  async run(c, opts) {
    const { a, io, json, out, depsFor, filter, ownersOnDisk } = c;
    const n = Number(opts['max-parallel'] ?? '1');
    if (!Number.isInteger(n) || n < 1 || n > 64) throw new UsageError('BAD_ARGUMENTS', '--max-parallel takes a whole number from 1 to 64');
    if (opts.due) return rotateDueCmd(c, opts['dry-run'] === true, n);
    const [{ rotate: rotateSecret }, { renderPlan, renderReport }] = await Promise.all([import('../../usecases/rotate.js'), import('../render.js')]);
    const policy = await loadPolicy(a.global.policy, io.env.HOME);
    const deps = depsFor(policy);
    await ownersOnDisk(policy, deps);
    const r = await rotateSecret(policy, requireSecret(a), filter, { dryRun: opts['dry-run'] === true, takeOverPending: opts['take-over-pending'] === true, scrub: opts.scrub === true, maxParallel: n }, deps);
    if (!json && r.dryRun) io.stdout(renderPlan(r.plan, deps.planContext.adapters));
    out(renderReport(r), r);
    return r.exitCode;
  },
});

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
