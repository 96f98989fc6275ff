/**
 * `rekey rotate <secret> --fleet`: one rotation across every host the secret's deliveries name,
 * coordinated through the secret's backend only (records.ts). The coordinator claims the rollout
 * (a write-once record: of two coordinators exactly one wins), takes the new values as `rotate`
 * does, stages them, opens the waves one by one (a canary alone first) and waits for every host of
 * a wave to acknowledge the staged version ids as delivered and verified. Every wave acknowledged:
 * promote, then hosts that were offline converge on their next run. A host that failed, or a wave
 * past its deadline with more hosts missing than `allowMissing`: abort, discard the pending
 * version, and every host that delivered puts its consumers back (its agent sees the abort).
 * The coordinator never touches a consumer: each host's agent does (agent.ts).
 */
import { describeError, UnsafeError, UsageError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import type { Plan, PlanFilter } from '../../plan/planner.js';
import type { Policy } from '../../policy/schema.js';
import { newRotationId, type RekeyDeps } from '../context.js';
import { newValues, probeStandbyAware } from '../new-values.js';
import { runRecord } from '../run-audit.js';
import { settleDrawn } from '../standby.js';
import { fleetPlan, wavesOf } from './fleet-plan.js';
import { hostBook, rolloutBook } from './host-run.js';
import { ackMatches, endId, fingerprintsOf, latestAck, nextSeq, openId, rollouts, stagedId, waveId, type AckRecord, type EndRecord, type OpenRecord, type Rollout, type StagedRecord } from './records.js';

export interface FleetOptions {
  canary?: string | undefined;
  /** hosts per wave after the canary */
  maxParallel: number;
  waveTimeoutMs: number;
  allowMissing: number;
  /** how often the coordinator reads the hosts' books */
  pollMs: number;
  dryRun: boolean;
}

export interface FleetHost {
  host: string;
  wave: number;
  state: 'verified' | 'failed' | 'missing' | 'not-reached' | 'restored';
  fingerprints: Record<string, string>;
  at: string | null;
  reason?: string;
}

export interface FleetReport {
  rollout: string | null;
  seq: number;
  secret: string;
  dryRun: boolean;
  outcome: 'promoted' | 'aborted' | 'dry-run';
  exitCode: number;
  message: string;
  waves: string[][];
  hosts: FleetHost[];
  newFingerprints: Record<string, string>;
  oldFingerprints: Record<string, string | null>;
  plan: Plan;
}

export async function rotateFleet(policy: Policy, secret: string, filter: PlanFilter, opts: FleetOptions, deps: RekeyDeps): Promise<FleetReport> {
  const started = deps.clock.now().getTime();
  const plan = fleetPlan(policy, secret, filter, deps);
  const backend = deps.backend(plan.backend);
  if (backend.capabilities().scope !== 'shared') {
    throw new UsageError('FLEET_NEEDS_SHARED_BACKEND', `secret "${secret}" lives in the ${backend.kind} backend, which only this host sees: hosts cannot coordinate through it`, { hint: 'keep fleet secrets in vault or aws-secrets-manager' });
  }
  const hostRefs: Record<string, string[]> = {};
  for (const t of plan.targets) hostRefs[t.host] = [...new Set([...(hostRefs[t.host] ?? []), t.ref])];
  const hosts = Object.keys(hostRefs).sort();
  const waves = wavesOf(hosts, opts.canary, opts.maxParallel);
  const book = rolloutBook(policy, plan.backend, secret, deps);
  const entries = await book.list();
  const previous = rollouts(entries).at(-1) ?? null;
  const at = () => deps.clock.now().toISOString();
  const base = { secret, waves, plan, hosts: [] as FleetHost[] };

  if (previous && previous.end === null) {
    if (Date.parse(previous.open.deadline) > deps.clock.now().getTime()) {
      throw new UnsafeError('ROLLOUT_OPEN', `rollout ${previous.open.rollout} of "${secret}" (coordinator ${previous.open.coordinator}, started ${previous.open.startedAt}) is still open until ${previous.open.deadline}`, {
        hint: 'wait for it (rekey status --fleet shows it); a coordinator that died is taken over once its deadline passes',
        details: { rollout: previous.open.rollout },
      });
    }
    if (!opts.dryRun) await abandon(previous, `its coordinator ${previous.open.coordinator} did not finish it by ${previous.open.deadline}`, book, deps);
  }
  const seq = nextSeq(entries);
  const rollout = newRotationId(deps);
  if (opts.dryRun) {
    const { values, oldFp, wouldMint } = await newValues(policy, plan, deps, false, null);
    const newFp = Object.fromEntries([...values].map(([r, v]) => [r, v.fingerprint]));
    return { ...base, rollout: null, seq, dryRun: true, outcome: 'dry-run', exitCode: 0, message: `dry run: rollout ${seq} would deliver ${Object.values(newFp).join(', ') || `a value minted for ${wouldMint.join(', ')}`} to ${hosts.length} host(s) in ${waves.length} wave(s); nothing was changed`, newFingerprints: newFp, oldFingerprints: oldFp };
  }
  // the claim first: a coordinator that loses it has touched nothing
  const deadline = new Date(deps.clock.now().getTime() + opts.waveTimeoutMs * (waves.length + 1)).toISOString();
  const open: OpenRecord = { kind: 'open', rollout, seq, secret, backend: plan.backend, coordinator: deps.planContext.hostname, startedAt: at(), waves, waveTimeoutMs: opts.waveTimeoutMs, allowMissing: opts.allowMissing, deadline, hosts: hostRefs };
  try {
    await book.add(openId(seq), open);
  } catch (e) {
    if ((e as { code?: string }).code === 'BOOK_ENTRY_TAKEN') throw new UnsafeError('ROLLOUT_TAKEN', `another coordinator started rollout ${seq} of "${secret}" first`, { hint: 'rekey status --fleet shows it' });
    throw e;
  }
  deps.log.info({ rollout, seq, secret, hosts, waves }, 'fleet rollout claimed');
  const end = async (outcome: EndRecord['outcome'], reason?: string, missing?: string[]) => book.add(endId(seq), { kind: 'end', rollout, outcome, at: at(), ...(reason ? { reason } : {}), ...(missing?.length ? { missing } : {}) });

  let staged: StagedRecord;
  const receipts = new Map<string, string | undefined>();
  let v: Awaited<ReturnType<typeof newValues>>;
  try {
    v = await newValues(policy, plan, deps, false, rollout);
    await probeStandbyAware(plan, v.values, v.drawn, true, deps);
    const refs: StagedRecord['refs'] = {};
    for (const [ref, value] of v.values) {
      const r = await deps.retry(`stage ${ref}`, () => backend.stage(ref, value, rollout, deps.signal));
      receipts.set(ref, r.receipt);
      // what hosts must find pending: the version id as they will read it
      const p = await deps.retry(`read pending ${ref}`, () => backend.read(ref, 'pending', deps.signal));
      if (!p || !p.value.equals(value)) throw new UnsafeError('PENDING_MOVED', `${ref}: the version just staged is not pending any more (another writer)`);
      refs[ref] = { versionId: p.versionId, fingerprint: value.fingerprint, oldFingerprint: v.oldFp[ref] ?? null };
    }
    staged = { kind: 'staged', rollout, at: at(), refs };
    await book.add(stagedId(seq), staged);
  } catch (e) {
    const reason = `before any host was asked: ${describeError(e)}`;
    await discardAll(receipts, rollout, plan, deps);
    await end('aborted', reason).catch(() => undefined);
    throw e;
  }

  const state = new Map<string, FleetHost>(hosts.map((h) => [h, { host: h, wave: waves.findIndex((w) => w.includes(h)), state: 'not-reached', fingerprints: {}, at: null }]));
  const rolloutNow = (): Rollout => ({ seq, open, staged, waves: [], end: null });
  const readAcks = async (h: string): Promise<AckRecord[]> => (await hostBook(policy, plan.backend, secret, h, deps).list()).map((e) => e.record);
  let missingTotal: string[] = [];
  let failure: string | null = null;
  let lastWave = -1;
  try {
    for (let k = 0; k < waves.length && failure === null; k++) {
      const wave = waves[k]!;
      lastWave = k;
      const waveDeadline = deps.clock.now().getTime() + opts.waveTimeoutMs;
      await book.add(waveId(seq, k), { kind: 'wave', rollout, wave: k, hosts: wave, openedAt: at(), deadline: new Date(waveDeadline).toISOString() });
      deps.log.info({ rollout, wave: k, hosts: wave }, 'wave open');
      for (;;) {
        const waiting: string[] = [];
        for (const h of wave) {
          const a = latestAck(await readAcks(h).catch(() => []), rollout);
          const s = state.get(h)!;
          if (a && a.what === 'delivered' && ackMatches(rolloutNow(), a, hostRefs[h]!)) Object.assign(s, { state: 'verified', fingerprints: fingerprintsOf(a), at: a.at });
          else if (a && a.what === 'failed') Object.assign(s, { state: 'failed', at: a.at, reason: a.reason ?? 'failed' });
          else waiting.push(h);
        }
        const failed = wave.filter((h) => state.get(h)!.state === 'failed');
        if (failed.length) {
          failure = `host ${failed.join(', ')} failed in wave ${k}: ${failed.map((h) => state.get(h)!.reason).join('; ')}`;
          break;
        }
        if (waiting.length === 0) break;
        if (deps.clock.now().getTime() >= waveDeadline) {
          for (const h of waiting) state.get(h)!.state = 'missing';
          missingTotal = [...missingTotal, ...waiting];
          if (missingTotal.length > opts.allowMissing) failure = `wave ${k} timed out after ${opts.waveTimeoutMs} ms: ${waiting.join(', ')} did not acknowledge (${missingTotal.length} missing, --allow-missing ${opts.allowMissing})`;
          break;
        }
        await deps.clock.sleep(opts.pollMs, deps.signal);
      }
    }
  } catch (e) {
    // interrupted (Ctrl-C, the backend gone): no host may keep waiting on this rollout
    const reason = `the coordinator stopped in wave ${lastWave}: ${describeError(e)}`;
    // on a signal of its own: the run's may be the one that was aborted
    const cleanup = { ...deps, signal: AbortSignal.timeout(deps.rollbackTimeoutMs) };
    await rolloutBook(policy, plan.backend, secret, cleanup)
      .add(endId(seq), { kind: 'end', rollout, outcome: 'aborted', at: at(), reason })
      .catch((x: unknown) => deps.log.error({ rollout, err: describeError(x) }, 'could not record the abort: the next coordinator aborts this rollout after its deadline'));
    await discardAll(receipts, rollout, plan, cleanup);
    throw e;
  }

  const newFp = Object.fromEntries(Object.entries(staged.refs).map(([r, x]) => [r, x.fingerprint]));
  let outcome: FleetReport['outcome'];
  let message: string;
  let exitCode: number;
  if (failure === null) {
    for (const ref of Object.keys(staged.refs)) await deps.retry(`promote ${ref}`, () => backend.promote(ref, rollout, deps.signal, receipts.get(ref)));
    await end('promoted', undefined, missingTotal);
    await settleDrawn(backend, v.drawn, deps);
    outcome = 'promoted';
    exitCode = ExitCode.ok;
    message = `rotated ${secret} on ${hosts.length - missingTotal.length} of ${hosts.length} host(s): every acknowledged host verified, new version promoted${missingTotal.length ? `; ${missingTotal.join(', ')} did not answer and will converge on their next run` : ''}`;
  } else {
    await end('aborted', failure);
    await discardAll(receipts, rollout, plan, deps);
    // every host the rollout reached acknowledges the abort once its consumers are back on the
    // current version (those that delivered put it back on their next run): wait for them, bounded
    const reached = hosts.filter((h) => state.get(h)!.wave <= lastWave && state.get(h)!.state !== 'failed' && state.get(h)!.state !== 'missing');
    const open = () => reached.filter((h) => state.get(h)!.state !== 'restored');
    const until = deps.clock.now().getTime() + opts.waveTimeoutMs;
    for (;;) {
      for (const h of open()) {
        const a = latestAck(await readAcks(h).catch(() => []), rollout);
        if (a?.what === 'restored') Object.assign(state.get(h)!, { state: 'restored', fingerprints: fingerprintsOf(a), at: a.at });
      }
      if (open().length === 0 || deps.clock.now().getTime() >= until) break;
      await deps.clock.sleep(opts.pollMs, deps.signal);
    }
    const stuck = open().filter((h) => state.get(h)!.state === 'verified');
    // not heard from since the abort: their agent acknowledges it when it next runs
    for (const h of open()) if (state.get(h)!.state !== 'verified') state.get(h)!.state = 'missing';
    const restored = reached.length - open().length;
    outcome = 'aborted';
    exitCode = stuck.length ? ExitCode.rollbackFailed : (failure.includes('timed out') ? ExitCode.backend : ExitCode.verificationFailedRolledBack);
    message = `rollout of ${secret} aborted: ${failure}. Pending version discarded; ${restored} host(s) confirmed they hold the old credential, verified${stuck.length ? `; ${stuck.join(', ')} delivered the new one and have not confirmed putting it back yet (their agent does it on its next run: rekey status --fleet)` : ''}`;
  }
  const hostList = [...state.values()];
  await deps.audit.append(
    runRecord('rotate-fleet', rollout, plan, deps, started, {
      outcome: outcome === 'promoted' ? 'promoted' : 'rolled-back',
      exitCode,
      oldFingerprints: v.oldFp,
      newFingerprints: newFp,
      rollbackPoint: v.oldFp,
      ...(failure ? { failure: { reason: failure } } : {}),
      fleet: { rollout, seq, waves, hosts: Object.fromEntries(hostList.map((h) => [h.host, h.at ? { ack: h.state, fingerprints: h.fingerprints, at: h.at } : null])), ...(missingTotal.length ? { missing: missingTotal } : {}) },
    }),
  );
  return { ...base, rollout, seq, dryRun: false, outcome, exitCode, message, hosts: hostList, newFingerprints: newFp, oldFingerprints: v.oldFp };
}

async function discardAll(receipts: Map<string, string | undefined>, rollout: string, plan: Plan, deps: RekeyDeps) {
  const backend = deps.backend(plan.backend);
  for (const [ref, receipt] of receipts) {
    await deps.retry(`discard ${ref}`, () => backend.discard(ref, rollout, deps.signal, receipt)).catch((e: unknown) => deps.log.warn({ ref, err: describeError(e) }, 'could not discard the pending version'));
  }
}

/** a rollout whose coordinator died: aborted (hosts put their consumers back), its pending version discarded */
async function abandon(r: Rollout, why: string, book: ReturnType<typeof rolloutBook>, deps: RekeyDeps) {
  await book.add(endId(r.seq), { kind: 'end', rollout: r.open.rollout, outcome: 'aborted', at: deps.clock.now().toISOString(), reason: `abandoned: ${why}` });
  const backend = deps.backend(r.open.backend);
  for (const ref of Object.keys(r.staged?.refs ?? {})) {
    await deps.retry(`discard ${ref}`, () => backend.discard(ref, r.open.rollout, deps.signal)).catch((e: unknown) => deps.log.warn({ ref, err: describeError(e) }, 'could not discard the abandoned pending version'));
  }
  deps.log.warn({ rollout: r.open.rollout, why }, 'took over an abandoned fleet rollout: aborted it');
}
