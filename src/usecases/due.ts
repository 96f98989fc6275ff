/**
 * `rekey rotate --due`: every secret × environment on this host whose current version is past its
 * `maxAge`, or will be within `schedule.leadTime`, rotates — inside the policy's windows, after
 * this host's jitter, one at a time. A new value comes from a pending `put`, a minting issuer (the
 * Gateway token: rekey's own mint), or the standby pool; a provider key with none is reported as
 * needing one, a secret locked by
 * another run or with an unfinished rotation is skipped and reported, never waited on.
 */
import { isRekeyError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import { resolveTargets } from '../plan/planner.js';
import { dueness, durationMs, mayRotateNow, parseWindow, type Dueness, type Window } from '../policy/schedule.js';
import type { Policy } from '../policy/schema.js';
import type { RekeyDeps } from './context.js';
import { rotate } from './rotate.js';
import { retireDue, type RetireResult } from './retire.js';
import { standbyEntries } from './standby.js';

export type DueOutcome =
  | 'not-due'
  | 'deferred'
  | 'rotated'
  | 'would-rotate'
  | 'needs-new-key'
  | 'skipped-locked'
  | 'skipped-unfinished'
  | 'failed';

export interface DueItem {
  secret: string;
  env: string;
  refs: string[];
  state: Dueness;
  /** when the oldest current version of its refs reaches maxAge */
  dueAt: string | null;
  /** each ref's current version's creation time (null: none, or not known) */
  createdAt: Record<string, string | null>;
  /** the smallest standby pool among its refs, and the policy's minimum (provider keys with a pool) */
  standby?: { depth: number; min: number };
  outcome: DueOutcome;
  detail?: string;
  rotationId?: string;
  exitCode: number;
}

const RANK: Dueness[] = ['ok', 'expiring', 'expired', 'missing'];

/** The due state of every secret × environment on this host (for `rotate --due`, `status --check` and metrics). */
export async function dueStates(policy: Policy, deps: RekeyDeps): Promise<Omit<DueItem, 'outcome' | 'exitCode'>[]> {
  const now = deps.clock.now();
  const lead = durationMs(policy.schedule?.leadTime ?? '7d');
  const out: Omit<DueItem, 'outcome' | 'exitCode'>[] = [];
  for (const [name, secret] of Object.entries(policy.secrets)) {
    const here = resolveTargets(policy, name, deps.planContext).filter((t) => t.host === '*' || t.host === deps.planContext.hostname);
    const backend = deps.backend(secret.backend);
    for (const env of [...new Set(here.map((t) => t.env))]) {
      const refs = [...new Set(here.filter((t) => t.env === env).map((t) => t.ref))];
      let worst: { state: Dueness; dueAt: string | null } = { state: 'ok', dueAt: null };
      const createdAt: Record<string, string | null> = {};
      for (const ref of refs) {
        const versions = await deps.retry(`versions ${ref}`, () => backend.versions(ref, deps.signal));
        const cur = versions.find((v) => v.stages.includes('current'));
        createdAt[ref] = cur?.createdAt ?? null;
        const d = dueness(cur?.createdAt, cur !== undefined, secret.maxAge, lead, now);
        if (RANK.indexOf(d.state) > RANK.indexOf(worst.state) || (d.state === worst.state && d.dueAt !== null && (worst.dueAt === null || d.dueAt < worst.dueAt))) worst = d;
      }
      const pools = backend.standby && secret.layer === 'provider-key' ? await Promise.all(refs.map((ref) => standbyEntries(backend, ref, deps))) : null;
      const standby = pools ? { depth: Math.min(...pools.map((p) => p.length)), min: secret.minStandby ?? 0 } : undefined;
      out.push({ secret: name, env, refs, ...worst, createdAt, ...(standby ? { standby } : {}) });
    }
  }
  return out;
}

/**
 * Due items that share a unit restart it, so they rotate one after another; items whose units
 * are disjoint may rotate side by side (`maxParallel`): the items grouped by shared unit.
 */
export function unitGroups<T>(items: T[], unitsOf: (x: T) => string[]): T[][] {
  const groups: { units: Set<string>; items: T[] }[] = [];
  for (const x of items) {
    const us = unitsOf(x);
    const hit = groups.filter((g) => us.some((u) => g.units.has(u)));
    const merged = { units: new Set([...us, ...hit.flatMap((g) => [...g.units])]), items: [...hit.flatMap((g) => g.items), x] };
    for (const g of hit) groups.splice(groups.indexOf(g), 1);
    groups.push(merged);
  }
  return groups.map((g) => g.items);
}

export async function rotateDue(policy: Policy, opts: { dryRun: boolean; maxParallel?: number }, deps: RekeyDeps): Promise<{ items: DueItem[]; retirements: RetireResult[]; exitCode: number }> {
  const windows = (policy.schedule?.windows ?? []).map(parseWindow).filter((w): w is Window => typeof w !== 'string');
  const jitter = policy.schedule?.jitter ? durationMs(policy.schedule.jitter) : 0;
  const items: DueItem[] = [];
  const toRotate: Omit<DueItem, 'outcome' | 'exitCode'>[] = [];
  for (const s of await dueStates(policy, deps)) {
    // a secret with no maxAge is rotated by hand only; `missing` is a first delivery, also by hand
    if (s.state === 'ok' || s.state === 'missing' || !policy.secrets[s.secret]?.maxAge) {
      items.push({ ...s, outcome: 'not-due', exitCode: ExitCode.ok });
      continue;
    }
    const may = mayRotateNow(deps.clock.now(), windows, jitter, `${deps.planContext.hostname}/${s.secret}/${s.env}`);
    if (!may.ok) {
      items.push({ ...s, outcome: 'deferred', detail: may.why, exitCode: ExitCode.ok });
      continue;
    }
    toRotate.push(s);
  }
  const one = async (s: Omit<DueItem, 'outcome' | 'exitCode'>): Promise<DueItem> => {
    try {
      const r = await rotate(policy, s.secret, { env: s.env }, { dryRun: opts.dryRun }, deps);
      const outcome: DueOutcome = r.dryRun ? 'would-rotate' : r.outcome === 'promoted' ? 'rotated' : 'failed';
      return { ...s, outcome, detail: r.message, ...(r.rotationId ? { rotationId: r.rotationId } : {}), exitCode: r.exitCode };
    } catch (e) {
      if (!isRekeyError(e)) throw e;
      const outcome: DueOutcome =
        e.code === 'NO_PENDING_VALUE' ? 'needs-new-key' : e.code === 'LOCK_HELD' || e.code === 'LOCK_CONTENDED' ? 'skipped-locked' : e.code === 'ROTATION_UNFINISHED' ? 'skipped-unfinished' : 'failed';
      return { ...s, outcome, detail: e.message, exitCode: e.exitCode };
    }
  };
  // one secret at a time by default; with maxParallel, groups that share no unit side by side
  const units = (s: Omit<DueItem, 'outcome' | 'exitCode'>) => resolveTargets(policy, s.secret, deps.planContext).filter((t) => t.env === s.env && t.service).map((t) => t.service!.unit);
  const groups = unitGroups(toRotate, units);
  let next = 0;
  const worker = async () => {
    while (next < groups.length) {
      const g = groups[next++]!;
      for (const s of g) items.push(await one(s));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.maxParallel ?? 1, groups.length)) }, worker));
  // 0: everything due now was rotated; otherwise the worst code of what was not (needs a key,
  // skipped: 3, an unsafe precondition for the run as a whole; a failed rotation: its own code)
  // grace-period retirements whose time has come, in the same pass
  const retirements = opts.dryRun ? [] : (await retireDue(policy, deps)).filter((r) => r.outcome !== 'not-due');
  const notDone = items.filter((i) => !['not-due', 'deferred', 'rotated', 'would-rotate'].includes(i.outcome));
  const exitCode = notDone.reduce<number>((m, i) => Math.max(m, i.outcome === 'failed' ? i.exitCode : ExitCode.unsafe), ExitCode.ok);
  return { items, retirements, exitCode: retirements.some((r) => r.outcome === 'failed') ? Math.max(exitCode, ExitCode.backend) : exitCode };
}
