import type { Plan } from '../plan/planner.js';
import type { SecretRead } from '../core/ports.js';
import type { Target } from '../core/target.js';
import { UnsafeError } from '../core/errors.js';
import { shadowReport, type ShadowReport } from '../plan/shadow.js';
import { withTimeout } from '../rotation/timeout.js';
import type { RekeyDeps } from './context.js';
import { inPool } from './in-pool.js';
import { unitsAndFiles } from '../plan/blast-radius.js';

/**
 * Read-only checks before anything is written: every sink is safe, every unit reads its files,
 * every consumer verifies with the current version (`parallel` of those at a time: each is an
 * openclaw process).
 */
export async function preflight(plan: Plan, deps: RekeyDeps, parallel = 1): Promise<void> {
  const bound = <T>(p: Promise<T>, what: string) => withTimeout(p, deps.stepTimeoutMs, what, deps.signal);
  for (const t of plan.targets) await bound(deps.sink(t.sink.kind).check(t, deps.signal), `check ${t.id}`);
  for (const t of plan.targets) {
    const v = deps.verifier(t.verify.kind);
    if (v.preflight) await bound(v.preflight(t, deps.signal), `verifier pre-flight ${t.id}`);
  }
  const adapters = deps.planContext.adapters;
  const reads = (t: Target) => adapters.sink(t.sink.kind).reads(t.sink);
  // every unit reads every env file delivered to it
  // (read-only: each a service-manager query, `parallel` at a time)
  await inPool([...unitsAndFiles(plan.targets, adapters)], parallel, ([unit, u]) => bound(deps.service(u.service).preflight(unit, [...u.files], deps.signal), `preflight ${unit}`));
  // a delivery read at start through `rekey exec` (a keychain item) needs a unit that starts through it
  for (const t of plan.targets) {
    if (reads(t) !== 'exec-env' || !t.service) continue;
    const argv = await bound(deps.service(t.service).startCommand(t.service.unit, deps.signal), `start command of ${t.service.unit}`);
    if (!startsThroughRekeyExec(argv, t.agent, t.env)) {
      throw new UnsafeError('KEYCHAIN_NOT_READ_BY_SERVICE', `${t.id}: unit ${t.service.unit} does not start through \`rekey exec --agent ${t.agent} --env ${t.env} -- …\`: it would never see the keychain item`, {
        details: { target: t.id, unit: t.service.unit },
        hint: 'rekey service render systemd|launchd --agent A --env E -- <command…> prints a unit that does',
      });
    }
  }
  // both run the openclaw CLI (~2 s a call): side by side; a shadowing source is the clearer refusal
  const [shadows, base] = await Promise.allSettled([shadowReports(plan, deps), baseline(plan, deps, parallel)]);
  if (shadows.status === 'rejected') throw shadows.reason;
  for (const r of shadows.value) {
    if (r.deliveredWins) continue;
    throw new UnsafeError('SHADOWED', r.reason ?? `${r.target}: another source wins over rekey's delivery`, {
      details: { target: r.target, sources: r.sources },
      hint: `rekey plan ${plan.secret} lists every source; remove the ones rekey does not own, or deliver where the winner is`,
    });
  }
  if (base.status === 'rejected') throw base.reason;
}

/** Which source wins for every provider-key target (empty when the deps cannot look). */
export async function shadowReports(plan: Plan, deps: Pick<RekeyDeps, 'openclaw' | 'stepTimeoutMs' | 'signal' | 'planContext'>, opts: { tolerant?: boolean } = {}): Promise<ShadowReport[]> {
  const openclaw = deps.openclaw;
  if (!openclaw || plan.layer !== 'provider-key') return [];
  const sources = (t: Target, signal: AbortSignal) => openclaw.sources(t, signal);
  const one = async (t: Plan['targets'][number]): Promise<ShadowReport> => {
    try {
      return shadowReport(t, await withTimeout(sources(t, deps.signal), deps.stepTimeoutMs, `sources of ${t.id}`, deps.signal), deps.planContext.adapters);
    } catch (e) {
      // plan and status report what they could not look at; rotate's pre-flight stops
      if (!opts.tolerant) throw e;
      return { target: t.id, sources: [], winner: null, deliveredWins: false, reason: `sources not looked at: ${(e as Error).message}`, notes: [`not looked at: ${(e as Error).message.slice(0, 200)}`] };
    }
  };
  // each lookup runs the openclaw CLI (~2 s): a few at a time, results in plan order
  return inPool(plan.targets, 4, one);
}

/**
 * Before anything is written, every consumer must verify with the backend's current version:
 * otherwise neither the rotation nor its rollback can be judged (a stored profile shadowing the
 * env key, or a file edited by hand, would make even the rollback "fail"). Refused with exit 3.
 */
async function baseline(plan: Plan, deps: RekeyDeps, parallel: number): Promise<void> {
  const backend = deps.backend(plan.backend);
  // one read of each ref's current and pending versions, however many consumers share it
  const versions = new Map<string, Promise<[SecretRead | null, SecretRead | null]>>();
  const versionsOf = (ref: string) => {
    if (!versions.has(ref)) {
      versions.set(ref, (async () => {
        const cur = await deps.retry(`read current ${ref}`, () => backend.read(ref, 'current', deps.signal));
        return [cur, cur ? await deps.retry(`read pending ${ref}`, () => backend.read(ref, 'pending', deps.signal)) : null];
      })());
    }
    return versions.get(ref)!;
  };
  await inPool(plan.targets, parallel, async (t) => {
    const [cur, pending] = await versionsOf(t.ref);
    if (!cur) return; // first delivery: nothing to compare with
    if (pending && pending.versionId === cur.versionId) return; // a first version (AWS): not delivered yet
    const r = await withTimeout(deps.verifier(t.verify.kind).verify(t, cur.value, deps.signal), deps.stepTimeoutMs, `baseline verify ${t.id}`, deps.signal);
    if (r.ok) return;
    const code = r.code === 'shadowed' ? 'SHADOWED' : 'BASELINE_FAILED';
    throw new UnsafeError(code, `${t.id}: before rotating, the consumer does not verify with the current version ${cur.value.fingerprint}: ${r.reason}`, {
      details: { target: t.id, verifyCode: r.code },
      hint: r.diagnosis ?? 'fix the consumer first (or `rekey put` the value it really uses and rotate to it)',
    });
  });
}

/** Does this argv run `rekey exec` for that agent and environment (… exec [opts] --agent A --env E … -- cmd)? */
export function startsThroughRekeyExec(argv: string[], agent: string, env: string): boolean {
  const i = argv.indexOf('exec');
  const end = argv.indexOf('--', i + 1);
  if (i < 0 || end < 0 || end === argv.length - 1) return false;
  const opts = argv.slice(i + 1, end);
  const value = (long: string, short: string): string | undefined => {
    for (let k = 0; k < opts.length; k++) {
      const o = opts[k]!;
      if (o === long || o === short) return opts[k + 1];
      if (o.startsWith(`${long}=`)) return o.slice(long.length + 1);
    }
    return undefined;
  };
  return value('--agent', '-a') === agent && value('--env', '-e') === env;
}
