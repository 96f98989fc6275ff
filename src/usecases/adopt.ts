import type { AuditRecord } from '../audit/audit-record.js';
import { RekeyError, RollbackFailedError, UnsafeError, UsageError } from '../core/errors.js';
import type { SecretValue } from '../core/secret-value.js';
import type { Target } from '../core/target.js';
import { adoptPlan, type SecretsApplyPlan } from '../plan/adopt-plan.js';
import type { OpenclawCli } from '../core/openclaw.js';
import { planRotation, type Plan, type PlanFilter } from '../plan/planner.js';
import type { Policy } from '../policy/schema.js';
import { newRotationId, type RekeyDeps } from './context.js';
import { beginOp, continueOp, type OpJournal } from './op-journal.js';
import { failureOf, refusedIsAudited, runRecord } from './run-audit.js';
import type { JournalEvent } from '../rotation/state.js';
import { isPutVersion, stateDirs } from './rotate.js';

export interface AdoptStep {
  /** the OpenClaw config the plan applies to */
  config: string;
  plan: SecretsApplyPlan;
  planFile: string;
  changedFiles: string[];
  resolvable: boolean;
  warnings: string[];
}

export interface AdoptReport {
  secret: string;
  dryRun: boolean;
  fingerprint: string;
  steps: AdoptStep[];
  verified: Record<string, string>;
  residue: { file: string; fingerprints: string[]; removed: boolean }[];
}


/**
 * `rekey openclaw adopt`: point OpenClaw at rekey's SecretRef file. The file first gets the
 * backend's current value, or the one `rekey put` left pending (promoted once verified), so the
 * ref resolves; then `openclaw secrets apply` runs the plan
 * (always a --dry-run first; the real apply only without --dry-run), then every target is
 * verified with that value. OpenClaw's backups of the old config keep the plaintext key: they
 * are reported, and removed with --scrub.
 */
export async function adopt(policy: Policy, secret: string, filter: PlanFilter, opts: { dryRun: boolean; scrub: boolean }, deps: RekeyDeps): Promise<AdoptReport> {
  const plan = planRotation(policy, secret, filter, deps.planContext);
  if (opts.dryRun) return adoptLocked(plan, secret, opts, deps);
  await deps.audit.ready?.();
  // it writes a sink, OpenClaw's config and may promote: under the secret's lock, and audited
  const started = deps.clock.now().getTime();
  const adoptId = `adopt-${newRotationId(deps)}`;
  const lock = await refusedIsAudited(() => deps.locks.acquire(secret, { rotationId: adoptId, command: 'adopt' }), 'adopt', adoptId, plan, deps, started);
  const record = (outcome: AuditRecord['outcome'], exitCode: number, fingerprint: string, failure?: AuditRecord['failure']): AuditRecord =>
    runRecord('adopt', adoptId, plan, deps, started, { outcome, exitCode, newFingerprints: Object.fromEntries(plan.refs.map((r) => [r, fingerprint])), ...(failure ? { failure } : {}) });
  try {
    await refusedIsAudited(
      async () => {
        if ((await deps.journal.unfinished()).some((u) => u.secret === secret)) {
          throw new UnsafeError('ROTATION_UNFINISHED', `a rotation of "${secret}" did not finish: adopting now would change what it rolls back`, { hint: 'run `rekey resume` first' });
        }
      },
      'adopt',
      adoptId,
      plan,
      deps,
      started,
    );
    const op = await beginOp(deps, adoptId, 'adopt', plan, filter, { scrub: String(opts.scrub) });
    const r = await adoptLocked(plan, secret, opts, deps, op).catch(async (e: unknown) => {
      const code = e instanceof RekeyError ? e.exitCode : 1;
      await op.end('failed', (e as Error)?.message);
      await deps.audit.append(record(code === 2 || code === 3 ? 'refused' : 'failed', code, '', failureOf(e)));
      throw e;
    });
    await op.end('done');
    await deps.audit.append({ ...record('adopted', 0, r.fingerprint), targets: plan.targets.map((t) => ({ id: t.id, verified: t.id in r.verified })), ...(r.residue.length ? { residue: r.residue } : {}) });
    return r;
  } finally {
    await lock.release();
  }
}

/**
 * An adopt killed part-way (its journal has no end): run it again on the plan it journaled. Every
 * step is idempotent: the file gets the same value, `secrets apply` of an applied plan changes
 * nothing, a promoted put is current (not promoted twice).
 */
export async function resumeAdopt(begin: Extract<JournalEvent, { type: 'begin' }>, plan: Plan, deps: RekeyDeps): Promise<AdoptReport> {
  const started = deps.clock.now().getTime();
  const id = begin.rotationId;
  const lock = await deps.locks.acquire(begin.secret, { rotationId: id, command: 'resume' });
  const op = continueOp(deps, id);
  const record = (outcome: AuditRecord['outcome'], exitCode: number, fingerprint: string, failure?: AuditRecord['failure']): AuditRecord =>
    runRecord('resume', id, plan, deps, started, { outcome, exitCode, newFingerprints: Object.fromEntries(plan.refs.map((r) => [r, fingerprint])), ...(failure ? { failure } : {}) });
  try {
    const r = await adoptLocked(plan, begin.secret, { dryRun: false, scrub: begin.args?.scrub === 'true' }, deps, op).catch(async (e: unknown) => {
      await op.end('failed', (e as Error)?.message);
      await deps.audit.append(record('failed', e instanceof RekeyError ? e.exitCode : 1, '', failureOf(e)));
      throw e;
    });
    await op.end('done', 'resumed after an interruption');
    await deps.audit.append({ ...record('adopted', 0, r.fingerprint), targets: plan.targets.map((t) => ({ id: t.id, verified: t.id in r.verified })), ...(r.residue.length ? { residue: r.residue } : {}) });
    return r;
  } finally {
    await lock.release();
  }
}

async function adoptLocked(plan: Plan, secret: string, opts: { dryRun: boolean; scrub: boolean }, deps: RekeyDeps, op?: OpJournal): Promise<AdoptReport> {
  /** a write, journaled when this is the real run */
  const step = <T>(name: string, fn: () => Promise<T>): Promise<T> => (op ? op.step(name, fn) : fn());
  const openclaw = deps.openclaw;
  if (!openclaw) throw new UsageError('ADOPT_UNAVAILABLE', 'this build has no OpenClaw CLI port');
  const secretsApply: OpenclawCli['secretsApply'] = (t, p, o) => openclaw.secretsApply(t, p, o);
  const adapters = deps.planContext.adapters;
  const targets = plan.targets.filter((t) => adapters.sink(t.sink.kind).fileSecretRef?.(t.sink) !== undefined);
  if (targets.length === 0) {
    throw new UsageError('ADOPT_NO_SECRETREF_TARGET', `secret "${secret}" has no openclaw-secretref-file delivery on this host`, { hint: 'adopt points OpenClaw at the file of an openclaw-secretref-file sink' });
  }
  const backend = deps.backend(plan.backend);
  const values = new Map<string, SecretValue>();
  /** refs whose value is a `rekey put` still pending: promoted once adopt has delivered and verified it */
  const toPromote = new Map<string, string>();
  for (const ref of new Set(targets.map((t) => t.ref))) {
    const cur = await deps.retry(`read current ${ref}`, () => backend.read(ref, 'current', deps.signal));
    const pending = cur ? null : await deps.retry(`read pending ${ref}`, () => backend.read(ref, 'pending', deps.signal));
    const value = cur?.value ?? (pending && isPutVersion(pending.rotationId) ? pending.value : null);
    if (!value) {
      throw new UsageError('ADOPT_NO_VALUE', `${ref} has no current value, and no value put by \`rekey put\`, to put in the file`, { hint: `printf %s "$KEY" | rekey put ${secret} --env E --stdin (the key OpenClaw uses now), then adopt again` });
    }
    if (!cur && pending?.rotationId) toPromote.set(ref, pending.rotationId);
    values.set(ref, value);
  }
  const byConfig = new Map<string, Target[]>();
  for (const t of targets) {
    const s = t.sink as { configPath?: string; stateDir?: string };
    const key = s.configPath ?? s.stateDir ?? '~/.openclaw';
    byConfig.set(key, [...(byConfig.get(key) ?? []), t]);
  }
  const steps: AdoptStep[] = [];
  const stamp = deps.clock.now().toISOString().replace(/[:.]/g, '-');
  for (const [config, group] of byConfig) {
    const p = adoptPlan(group, adapters);
    if (!opts.dryRun) for (const t of group) await step(`deliver ${t.id}`, () => deps.sink(t.sink.kind).write(t, values.get(t.ref)!, deps.signal));
    const dry = await secretsApply(group[0]!, p, { dryRun: true, name: `adopt-${secret}-${stamp}`, signal: deps.signal });
    const applied = opts.dryRun ? dry : await step(`secrets-apply ${config}`, () => secretsApply(group[0]!, p, { dryRun: false, name: `adopt-${secret}-${stamp}`, signal: deps.signal }));
    steps.push({ config, plan: p, ...applied });
  }
  const verified: Record<string, string> = {};
  if (!opts.dryRun) {
    for (const t of targets) {
      const r = await deps.verifier(t.verify.kind).verify(t, values.get(t.ref)!, deps.signal);
      // nothing is rolled back automatically here: exit 6, with what to do
      if (!r.ok) throw new RollbackFailedError(`${t.id}: after adopt, ${r.reason}${r.diagnosis ? ` — ${r.diagnosis}` : ''}`, { hint: `OpenClaw kept its previous config as openclaw.json.bak (put it back, then openclaw secrets reload); the applied plan is in ${steps[0]?.planFile}` });
      verified[t.id] = r.detail;
    }
    for (const [ref, id] of toPromote) await step(`promote ${ref}`, () => deps.retry(`promote ${ref}`, () => backend.promote(ref, id, deps.signal)));
  }
  const residue: AdoptReport['residue'] = [];
  if (deps.residue) {
    for (const h of await deps.residue.scan(stateDirs({ ...plan, targets }, deps.planContext.home), [...values.values()])) {
      if (opts.scrub && !opts.dryRun) await step(`scrub ${h.file}`, () => deps.residue!.remove(h.file));
      residue.push({ ...h, removed: opts.scrub && !opts.dryRun });
    }
  }
  return { secret, dryRun: opts.dryRun, fingerprint: [...values.values()].map((v) => v.fingerprint).join(', '), steps, verified, residue };
}
