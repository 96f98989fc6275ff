import { ExitCode } from '../../core/exit-codes.js';
import { UsageError } from '../../core/errors.js';
import { defineCommand, ENV } from './define.js';
import { loadPolicy } from './context.js';
import type { Policy } from '../../policy/schema.js';
import type { RekeyDeps } from '../../usecases/context.js';
import type { EndedLease } from '../../usecases/ci/end.js';
import type { LeaseRecord } from '../../usecases/ci/lease-book.js';

/** one command at a time changes the lease books of this host (shared backends: check-and-set too) */
async function locked<T>(deps: Pick<RekeyDeps, 'locks'>, command: string, fn: () => Promise<T>): Promise<T> {
  const lock = await deps.locks.acquire('ci-leases', { rotationId: `ci-${process.pid}`, command });
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}

/** `rotate --due` with a `ci` section: expired leases end too (a failure is reported, never thrown: the rotations still count) */
export async function scheduledReap(policy: Policy, deps: RekeyDeps, dryRun: boolean): Promise<{ exitCode: number; lines: string; report: unknown }> {
  const { reapLeases } = await import('../../usecases/ci/end.js');
  try {
    const r = await locked(deps, 'rotate --due (ci reap)', () => reapLeases(policy, deps, dryRun));
    const lines = dryRun ? r.expired.map(wouldEndLine) : r.ended.map(endedLine);
    return { exitCode: endedExit(r.ended), lines: lines.map((l) => `  ci lease ${l}`).join(''), report: { expired: r.expired.map((l) => l.id), ended: r.ended } };
  } catch (e) {
    const { isRekeyError } = await import('../../core/errors.js');
    const code = isRekeyError(e) ? e.exitCode : ExitCode.internal;
    return { exitCode: code, lines: `  ci reap failed: ${(e as Error).message}\n`, report: { error: (e as Error).message } };
  }
}

/** `::add-mask::` per line of a value, its data escaped as GitHub's workflow commands require (% CR LF) */
export const githubMasks = (value: string) =>
  value
    .split(/\r?\n/)
    .filter((l) => l.length > 0)
    .map((l) => `::add-mask::${l.replace(/%/g, '%25').replace(/\r/g, '%0D')}\n`)
    .join('');

const endedLine = (e: EndedLease) =>
  `${e.ended ? 'ended' : e.forgotten ? 'FORGOTTEN (retire it by hand)' : 'STILL VALID'}  ${e.id}  runner ${e.runner}  ${e.secret}  ${e.fingerprint}  (${e.reason}; upstream: ${e.upstream}; provider: ${e.probe}${e.removed ? '; deleted from the backend' : ''})\n`;
const wouldEndLine = (l: LeaseRecord) => `would end ${l.id}  runner ${l.runner}  ${l.secret}  ${l.fingerprint}  expired ${l.expiresAt}\n`;
/** 0 when every lease's key no longer works (or was dropped on the operator's word), else 6: a key may still work */
const endedExit = (ended: EndedLease[]) => (ended.every((e) => e.ended || e.forgotten) ? ExitCode.ok : ExitCode.rollbackFailed);

export const ciIssue = defineCommand({
  words: 'ci issue',
  usage: '--runner ID --secret S --ttl D [--env E] [--job J] | --runner ID --secret GATEWAY_TOKEN_SECRET --device DEVICE_ID --ttl D',
  summary: "give one CI runner a credential of its own (minted upstream, or from the standby pool), stored where only that runner's identity reads it, recorded as a lease",
  example: 'rekey ci issue --runner gha-deploy --secret openai --ttl 1h --job "$GITHUB_RUN_ID"',
  options: {
    runner: { type: 'string', value: 'ID', help: "the runner's id (its leases live under <ci.prefix>/<ID>/)" },
    secret: { type: 'string', value: 'S', help: 'the policy secret whose provider and issuer the lease uses' },
    ttl: { type: 'string', value: 'D', help: 'how long the lease lasts (at most ci.maxTtl; the provider expires it too where its API can)' },
    env: { ...ENV, help: 'the environment whose provider settings and standby pool to use' },
    job: { type: 'string', value: 'J', help: 'the CI job it is for (recorded)' },
    device: { type: 'string', value: 'ID', help: "Gateway access: record the runner's own paired device as its lease (with --secret naming the Gateway token secret); its end revokes and removes the pairing" },
  },
  stateful: true,
  async run(c, o) {
    const { a, io, out, depsFor } = c;
    if (!o.ttl) throw new UsageError('BAD_ARGUMENTS', 'rekey ci issue needs --ttl (e.g. 1h)');
    const policy = await loadPolicy(a.global.policy, io.env.HOME);
    const deps = depsFor(policy);
    if (o.device !== undefined) {
      const { issueDeviceLease } = await import('../../usecases/ci/device.js');
      const l = await locked(deps, 'ci issue', () => issueDeviceLease(policy, { runner: o.runner, secret: o.secret, device: o.device!, ttl: o.ttl!, job: o.job }, deps));
      out(`issued ${l.id}: runner ${l.runner}, Gateway device ${l.upstreamId} (${(l.roles ?? []).join(', ')}) of ${l.secret}, until ${l.expiresAt}\n`, { lease: l, replaced: [] });
      return ExitCode.ok;
    }
    const { issueLease } = await import('../../usecases/ci/issue.js');
    const r = await locked(deps, 'ci issue', () => issueLease(policy, { runner: o.runner, secret: o.secret, env: o.env, ttl: o.ttl!, job: o.job }, deps));
    const l = r.lease;
    out(`issued ${l.id}: runner ${l.runner}, ${l.secret} ${l.fingerprint} (${l.source}${l.upstreamId ? ` ${l.upstreamId}` : ''}) at ${l.backend}:${l.ref}, until ${l.expiresAt}${l.providerExpiresAt ? ' (the provider expires it too)' : ''}\n${r.replaced.map(endedLine).join('')}`, r);
    return endedExit(r.replaced);
  },
});

export const ciList = defineCommand({
  words: 'ci list',
  usage: '[--runner ID]',
  summary: 'every live CI lease: runner, job, secret, fingerprint, issued, expires (expired ones marked until `ci reap` ends them)',
  example: 'rekey ci list --json',
  options: { runner: { type: 'string', value: 'ID', help: "only this runner's leases" } },
  stateful: false,
  async run({ a, io, out, depsFor }, o) {
    const { allLeases } = await import('../../usecases/ci/lease-book.js');
    const policy = await loadPolicy(a.global.policy, io.env.HOME);
    const deps = depsFor(policy);
    const now = deps.clock.now().getTime();
    const leases = (await allLeases(policy, deps, o.runner)).map((l) => ({ ...l, expired: Date.parse(l.expiresAt) <= now }));
    out(leases.length ? leases.map((l) => `${l.id}  runner ${l.runner}${l.job ? ` job ${l.job}` : ''}  ${l.secret}  ${l.fingerprint}  issued ${l.issuedAt}  ${l.expired ? 'EXPIRED' : 'expires'} ${l.expiresAt}\n`).join('') : 'no live leases\n', { leases });
    return ExitCode.ok;
  },
});

export const ciRevoke = defineCommand({
  words: 'ci revoke',
  usage: '<runner ID | lease id> [--forget]',
  summary: "end a runner's leases (or one lease) now: retired upstream, refused by the provider (asked), deleted from the backend, audited",
  example: 'rekey ci revoke gha-deploy',
  options: { forget: { type: 'boolean', help: 'also drop the record of a key that could not be ended (after retiring it by hand upstream)' } },
  stateful: true,
  async run(c, o) {
    const { a, io, out, depsFor } = c;
    const which = a.positionals[0];
    if (!which || a.positionals.length > 1) throw new UsageError('BAD_ARGUMENTS', 'rekey ci revoke takes one runner id or lease id');
    const { revokeLeases } = await import('../../usecases/ci/end.js');
    const policy = await loadPolicy(a.global.policy, io.env.HOME);
    const deps = depsFor(policy);
    const ended = await locked(deps, 'ci revoke', () => revokeLeases(policy, which, deps, o.forget === true));
    if (ended.length === 0) throw new UsageError('NO_SUCH_LEASE', `no live lease of runner or id "${which}"`, { hint: 'rekey ci list' });
    out(ended.map(endedLine).join(''), { ended });
    return endedExit(ended);
  },
});

export const ciReap = defineCommand({
  words: 'ci reap',
  usage: '[--dry-run]',
  summary: 'end every expired CI lease (retired upstream, deleted from the backend); run it from the scheduled job',
  example: 'rekey ci reap',
  options: { 'dry-run': { type: 'boolean', help: 'list the expired leases, end nothing' } },
  stateful: true,
  async run(c, o) {
    const { a, io, out, depsFor } = c;
    const { reapLeases } = await import('../../usecases/ci/end.js');
    const policy = await loadPolicy(a.global.policy, io.env.HOME);
    const deps = depsFor(policy);
    const r = await locked(deps, 'ci reap', () => reapLeases(policy, deps, o['dry-run'] === true));
    const lines = o['dry-run'] ? r.expired.map(wouldEndLine) : r.ended.map(endedLine);
    out(lines.length ? lines.join('') : 'no expired leases\n', r);
    return endedExit(r.ended);
  },
});

export const ciExec = defineCommand({
  words: 'ci exec',
  usage: '--runner ID [--dry-run] [<secret>…] -- CMD…',
  summary: "on the runner: run CMD with the runner's own leases in its environment only (read with the runner's identity at the backend)",
  example: 'rekey ci exec --runner gha-deploy openai -- ./deploy.sh',
  options: {
    runner: { type: 'string', value: 'ID', help: 'this runner' },
    'dry-run': { type: 'boolean', help: 'list the variables and fingerprints, run nothing' },
  },
  stateful: false,
  async run({ a, io, out, depsFor, log, childArgv }, o) {
    if (childArgv.length === 0 && !o['dry-run']) throw new UsageError('EXEC_NEEDS_COMMAND', 'rekey ci exec needs a command after --', { hint: 'rekey ci exec --runner gha-deploy -- ./deploy.sh' });
    const { ciExecEnv } = await import('../../usecases/ci/exec.js');
    const policy = await loadPolicy(a.global.policy, io.env.HOME);
    const { vars, sources } = await ciExecEnv(policy, o.runner, a.positionals, depsFor(policy));
    for (const s of sources) log.info({ envVar: s.envVar, ref: s.ref, fingerprint: s.fingerprint }, 'ci exec: injecting lease');
    if (o['dry-run']) {
      out(sources.map((s) => `${s.envVar} ← ${s.ref} (${s.fingerprint})\n`).join(''), { command: childArgv, sources });
      return ExitCode.ok;
    }
    if (io.runChild === undefined) throw new Error('rekey ci exec needs a process to run the command in');
    // GitHub Actions: every value is registered for masking before the command can print it (the
    // runner consumes these workflow commands; they never appear in the job's log)
    if (io.env.GITHUB_ACTIONS === 'true') for (const v of Object.values(vars)) io.stdout(githubMasks(v.reveal()));
    const env: NodeJS.ProcessEnv = { ...io.env };
    for (const [k, v] of Object.entries(vars)) env[k] = v.reveal();
    return await io.runChild(childArgv, env);
  },
});
