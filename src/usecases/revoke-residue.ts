/**
 * A leaked value no backend version holds any more, found by its fingerprint in the OpenClaw
 * backups of a secret's consumers: retired upstream at once, the backups removed with `scrub`.
 */
import { ExitCode } from '../core/exit-codes.js';
import type { SecretValue } from '../core/secret-value.js';
import { planRotation, type Plan, type PlanFilter } from '../plan/planner.js';
import type { Policy } from '../policy/schema.js';
import { newRotationId, type RekeyDeps } from './context.js';
import { planRetirements, retireDue, type RetireResult } from './retire.js';
import { stateDirs } from './rotate.js';
import { holders, revokeRecord, sameFingerprint, type RevokeReport } from './revoke-report.js';

/** the leaked value in the OpenClaw backups (.bak, .last-good…) of a plan's consumers, by its fingerprint */
export async function inResidue(plan: Plan, fingerprint: string, deps: RekeyDeps): Promise<{ file: string; value: SecretValue }[]> {
  if (!deps.residue?.find) return [];
  return deps.residue.find(stateDirs(plan, deps.planContext.home), (fp) => sameFingerprint(fp, fingerprint)).catch(() => []);
}

/** secrets whose consumers' OpenClaw backups hold a value with the fingerprint (no backend version has it) */
export async function findFingerprintInResidue(policy: Policy, fingerprint: string, deps: RekeyDeps): Promise<{ secret: string; files: string[] }[]> {
  const out: { secret: string; files: string[] }[] = [];
  for (const name of Object.keys(policy.secrets)) {
    const hits = await inResidue(planRotation(policy, name, {}, deps.planContext), fingerprint, deps);
    if (hits.length) out.push({ secret: name, files: [...new Set(hits.map((h) => h.file))] });
  }
  return out;
}

/**
 * A leaked value that only OpenClaw backups still hold (a consumer moved on long ago): nothing to
 * reissue. It is retired upstream at once (the secret's issuer finds it by its hint), the backups
 * are removed with `scrub`, and the report says what still holds it.
 */
export async function revokeResidue(policy: Policy, plan: Plan, filter: PlanFilter, found: { file: string; value: SecretValue }[], opts: { retireFirst: boolean; dryRun: boolean; scrub: boolean }, deps: RekeyDeps, started: Date): Promise<RevokeReport> {
  const issuerName = policy.secrets[plan.secret]?.issuer;
  const value = found[0]!.value;
  const ref = plan.refs[0]!;
  const files = [...new Set(found.map((h) => h.file))];
  const base = {
    secret: plan.secret,
    env: filter.env ?? null,
    order: opts.retireFirst ? ('retire-first' as const) : ('reissue-then-retire' as const),
    dryRun: opts.dryRun,
    leaked: [{ ref, fingerprint: value.fingerprint, stage: 'residue' as const }],
    startedAt: started.toISOString(),
    rotation: null,
    consumers: [],
  };
  const manual = issuerName ? [] : [`no issuer for "${plan.secret}": revoke ${value.fingerprint} in the provider's console now (rekey cannot retire it upstream)`];
  if (opts.dryRun) {
    return { ...base, retirements: [], manual, containedAt: null, timeToContainMs: null, stillHolding: files.map((where) => ({ where, fingerprint: value.fingerprint })), exitCode: ExitCode.ok, message: `dry run: no consumer holds it (only ${files.length} OpenClaw backup file(s)); ${issuerName ? `it would be retired at ${issuerName} at once` : 'it must be revoked in the provider console'}${opts.scrub ? ' and the backups removed' : ''}; nothing was changed` };
  }
  const revokeId = `revoke-${newRotationId(deps)}`;
  const retirements: RetireResult[] = [];
  if (issuerName) {
    const entries = await planRetirements(policy, plan, new Map([[ref, value]]), revokeId, deps, { now: true });
    retirements.push(...(await retireDue(policy, deps, new Set(entries.map((e) => e.id)))));
  }
  if (opts.scrub && deps.residue) for (const f of files) await deps.residue.remove(f);
  const stillHolding = await holders(plan, [value], deps);
  const retired = !!issuerName && retirements.some((r) => r.outcome === 'retired' || r.outcome === 'not-found');
  const contained = retired && stillHolding.length === 0;
  const containedAt = contained ? deps.clock.now().toISOString() : null;
  const report: RevokeReport = {
    ...base,
    retirements,
    manual,
    containedAt,
    timeToContainMs: containedAt ? Date.parse(containedAt) - started.getTime() : null,
    stillHolding,
    exitCode: contained ? ExitCode.ok : retired || !issuerName ? ExitCode.unsafe : ExitCode.backend,
    message: contained
      ? `contained: no consumer held it (only OpenClaw backups, removed); retired at ${issuerName}`
      : `NOT contained: ${!issuerName ? 'revoke it in the provider console (no issuer in the policy)' : !retired ? 'the leaked value is not retired upstream (see retirements)' : `${stillHolding.length} backup file(s) still hold it: rerun with --scrub`}`,
  };
  await deps.audit.append(revokeRecord(revokeId, plan, report, deps, started.getTime()));
  return report;
}

