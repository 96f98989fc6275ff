import { UsageError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { defineCommand, ENV, SCRUB } from './define.js';
import { loadPolicy } from './context.js';
import type { RevokeReport } from '../../usecases/revoke.js';

export const revoke = defineCommand({
  words: 'revoke',
  usage: '<secret> [--env E] | --fingerprint FP  [--retire-first] [--scrub] [--max-parallel N] [--dry-run]',
  summary: 'emergency: move every consumer of a leaked credential to a new one, retire the leaked one upstream at once, report the time to contain',
  example: 'rekey revoke --fingerprint sk-a…qqqq#016a6770 --scrub',
  options: {
    env: ENV,
    fingerprint: { type: 'string', value: 'FP', help: 'the leaked value by fingerprint (as rekey prints it, or its hash part): looked up in the current, pending and previous versions of every secret, then in the OpenClaw backups of their consumers' },
    'retire-first': { type: 'boolean', help: 'a confirmed abuse: retire the leaked value upstream before anything else (an outage until the new value lands)' },
    scrub: SCRUB,
    'dry-run': { type: 'boolean', help: 'what would happen, nothing changed' },
    'max-parallel': { type: 'string', value: 'N', help: 'restart and verify up to N consumers side by side (default 2)' },
  },
  stateful: true,
  async run({ a, io, out, depsFor, filter, ownersOnDisk }, opts) {
    const { revoke: revokeSecret, findFingerprint, findFingerprintInResidue, REVOKE_PARALLEL } = await import('../../usecases/revoke.js');
    const maxParallel = Number(opts['max-parallel'] ?? REVOKE_PARALLEL);
    if (!Number.isInteger(maxParallel) || maxParallel < 1 || maxParallel > 64) throw new UsageError('BAD_ARGUMENTS', '--max-parallel takes a whole number from 1 to 64');
    const policy = await loadPolicy(a.global.policy, io.env.HOME);
    const deps = depsFor(policy);
    await ownersOnDisk(policy, deps);
    let jobs: { secret: string; env?: string }[];
    if (opts.fingerprint) {
      if (a.positionals.length) throw new UsageError('BAD_ARGUMENTS', 'give a secret or --fingerprint, not both');
      const hits = await findFingerprint(policy, opts.fingerprint, deps);
      jobs = [...new Map(hits.filter((h) => !filter.env || h.env === filter.env).map((h) => [`${h.secret}\n${h.env}`, { secret: h.secret, env: h.env }])).values()];
      // no version holds it any more: an old value only OpenClaw backups of the consumers still keep
      if (jobs.length === 0) jobs = (await findFingerprintInResidue(policy, opts.fingerprint, deps)).map((h) => ({ secret: h.secret, ...(filter.env ? { env: filter.env } : {}) }));
      if (jobs.length === 0) {
        throw new UsageError('FINGERPRINT_NOT_FOUND', `no current, pending or previous version of any secret, and no OpenClaw backup of their consumers, has the fingerprint ${opts.fingerprint}`, { hint: 'rekey status lists every version with its fingerprint' });
      }
    } else {
      const secret = a.positionals[0];
      if (!secret) throw new UsageError('BAD_ARGUMENTS', 'rekey revoke needs a secret or --fingerprint FP');
      jobs = [{ secret, ...(filter.env ? { env: filter.env } : {}) }];
    }
    const reports: RevokeReport[] = [];
    for (const j of jobs) {
      reports.push(
        await revokeSecret(policy, j.secret, { ...filter, ...(j.env ? { env: j.env } : {}) }, { retireFirst: opts['retire-first'] === true, dryRun: opts['dry-run'] === true, scrub: opts.scrub === true, maxParallel, ...(opts.fingerprint ? { fingerprint: opts.fingerprint } : {}) }, deps),
      );
    }
    const exitCode = reports.reduce<number>((m, r) => Math.max(m, r.exitCode), ExitCode.ok);
    out(reports.map(renderRevoke).join('\n'), { exitCode, revocations: reports });
    return exitCode;
  },
});

const t = (iso: string | null, from: string) => (iso ? `+${((Date.parse(iso) - Date.parse(from)) / 1000).toFixed(1)} s` : '—');

export function renderRevoke(r: RevokeReport): string {
  const lines = [`revoke ${r.secret}${r.env ? ` × ${r.env}` : ''} (${r.order}${r.dryRun ? ', dry run' : ''}): ${r.message}`];
  for (const l of r.leaked) lines.push(`  leaked: ${l.fingerprint} (${l.ref}, ${l.stage})`);
  if (r.rotation) lines.push(`  reissue: rotation ${r.rotation.rotationId ?? '(dry run)'} ${r.rotation.outcome}${Object.values(r.rotation.newFingerprints).length ? ` → ${Object.values(r.rotation.newFingerprints).join(', ')}` : ''}${r.rotation.standby?.length ? ' (from the standby pool)' : ''}${r.rotation.minted?.length ? ' (minted)' : ''}`);
  for (const x of r.retirements) lines.push(`  retire ${x.fingerprint} (${x.ref}): ${x.outcome}${x.probe ? `, provider says ${x.probe}` : ''}${x.detail ? ` — ${x.detail}` : ''}`);
  for (const m of r.manual) lines.push(`  MANUAL: ${m}`);
  if (r.consumers.length) {
    lines.push('  consumer                          stopped holding   verified new');
    for (const c of r.consumers) lines.push(`  ${`${c.target}${c.host !== '*' ? ` @${c.host}` : ''}`.padEnd(34)}${t(c.stoppedHoldingAt, r.startedAt).padEnd(18)}${t(c.verifiedAt, r.startedAt)}`);
  }
  if (r.timeToContainMs !== null) lines.push(`  time to contain: ${(r.timeToContainMs / 1000).toFixed(1)} s`);
  for (const h of r.stillHolding) lines.push(`  STILL HOLDS ${h.fingerprint}: ${h.where}${h.where.includes('/') ? ' (rerun with --scrub to remove it)' : ''}`);
  if (r.withoutCredential) lines.push(`  WITHOUT A CREDENTIAL: ${r.withoutCredential.targets.join(', ')}\n  restore: ${r.withoutCredential.restore}`);
  return lines.join('\n') + '\n';
}
