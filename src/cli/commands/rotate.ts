import { AGENT, defineCommand, ENV, SCRUB } from './define.js';
import { loadPolicy, requireSecret } from './context.js';

export const rotate = defineCommand({
  words: 'rotate',
  usage: '<secret> [--env E] [--agent A] [--dry-run] [--take-over-pending] [--scrub]',
  summary: 'one rotation: stage, deliver, restart, verify at the consumer, promote (or roll back)',
  example: 'rekey rotate anthropic --env prod --dry-run',
  options: {
    env: ENV,
    agent: AGENT,
    'dry-run': { type: 'boolean', help: 'every check the real run makes, nothing written' },
    'take-over-pending': { type: 'boolean', help: 'adopt a pending version left by another, dead rotation' },
    scrub: SCRUB,
  },
  stateful: true,
  async run({ a, io, json, out, depsFor, filter, ownersOnDisk }, opts) {
    const [{ rotate: rotateSecret }, { renderPlan, renderReport }] = await Promise.all([import('../../usecases/rotate.js'), import('../render.js')]);
    const policy = await loadPolicy(a.global.policy, io.env.HOME);
    const deps = depsFor(policy);
    await ownersOnDisk(policy, deps);
    const r = await rotateSecret(policy, requireSecret(a), filter, { dryRun: opts['dry-run'] === true, takeOverPending: opts['take-over-pending'] === true, scrub: opts.scrub === true }, deps);
    if (!json && r.dryRun) io.stdout(renderPlan(r.plan, deps.planContext.adapters));
    out(renderReport(r), r);
    return r.exitCode;
  },
});
