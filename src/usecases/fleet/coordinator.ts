/**
 * `rekey rotate <secret> --fleet`: one rotation across every host the secret's deliveries name,
 * coordinated through the secret's backend only (records.ts). The coordinator claims the rollout
 * (a write-once record: of two coordinators exactly one wins), takes the new values as `rotate`
 * does, stages them, opens the waves one by one (a canary alone first) and waits for every host of
 * a wave to acknowledge the staged version ids as delivered and verified. Every wave acknowledged:
 * promote, then hosts that were offline converge on their next run. A host that failed, or a wave
 * past its deadline with more hosts missing than `allowMissing`: abort, discard the pending
 * version, and every host that delivered puts its consumers back (its agent sees the abort).
 * The coordinator never touches a consumer: each host's agent does (agent.ts). The waiting on
 * the hosts' books is waves.ts; an end record it did not write (`--abort`, abort.ts) stops it.
 */
import { describeError, UnsafeError, UsageError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import type { Plan, PlanFilter } from '../../plan/planner.js';
import type { Policy } from '../../policy/schema.js';
import { newRotationId, type RekeyDeps } from '../context.js';
import { newValues, probeStandbyAware } from '../new-values.js';
import { isEntryTaken } from '../record-book.js';
import { runRecord } from '../run-audit.js';
import { settleDrawn } from '../standby.js';
import { abandon } from './abort.js';
import { discardPending } from './discard.js';
import { waveWatch, type FleetHost } from './waves.js';
export type { FleetHost } from './waves.js';
import { fleetPlan, wavesOf } from './fleet-plan.js';
import { rolloutBook } from './host-run.js';
import { endId, nextSeq, openId, rollouts, stagedId, type EndRecord, type OpenRecord, type StagedRecord } from './records.js';

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
    if (!opts.dryRun) await abandon(previous, `abandoned: its coordinator ${previous.open.coordinator} did not finish it by ${previous.open.deadline}`, book, deps);
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
    if (isEntryTaken(e)) throw new UnsafeError('ROLLOUT_TAKEN', `another coordinator started rollout ${seq} of "${secret}" first`, { hint: 'rekey status --fleet shows it' });
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
      refs[ref] = { versionId: p.versionId, fingerprint: value.fingerprint, oldFingerprint: v.oldFp[ref] ?? null, ...(r.receipt !== undefined ? { receipt: r.receipt } : {}) };
    }
    staged = { kind: 'staged', rollout, at: at(), refs };
    await book.add(stagedId(seq), staged);
  } catch (e) {
    const reason = `before any host was asked: ${describeError(e)}`;
    await discardPending(plan.backend, receipts, rollout, deps);
    await end('aborted', reason).catch(() => undefined);
    throw e;
  }

  const watch = waveWatch(policy, open, staged, opts, deps);
  let failure: string | null;
  try {
    failure = await watch.run();
  } catch (e) {
    // interrupted (Ctrl-C, the backend gone): no host may keep waiting on this rollout
    const reason = `the coordinator stopped in wave ${watch.lastWave()}: ${describeError(e)}`;
    // on a signal of its own: the run's may be the one that was aborted
    const cleanup = { ...deps, signal: AbortSignal.timeout(deps.rollbackTimeoutMs) };
    await rolloutBook(policy, plan.backend, secret, cleanup)
      .add(endId(seq), { kind: 'end', rollout, outcome: 'aborted', at: at(), reason })
      .catch((x: unknown) => deps.log.error({ rollout, err: describeError(x) }, 'could not record the abort: the next coordinator aborts this rollout after its deadline'));
    await discardPending(plan.backend, receipts, rollout, cleanup);
    throw e;
  }

  const newFp = Object.fromEntries(Object.entries(staged.refs).map(([r, x]) => [r, x.fingerprint]));
  const missing = watch.missing();
  let outcome: FleetReport['outcome'];
  let message: string;
  let exitCode: number;
  if (failure === null) {
    for (const ref of Object.keys(staged.refs)) await deps.retry(`promote ${ref}`, () => backend.promote(ref, rollout, deps.signal, receipts.get(ref)));
    // an abort recorded between the last check and the promote loses: every host verified the version now current, and agents follow current
    const raced = await end('promoted', undefined, missing).then(
      () => false,
      (e: unknown) => {
        if (!isEntryTaken(e)) throw e;
        deps.log.warn({ rollout, seq }, 'an abort was recorded while this coordinator promoted: the promoted version stands');
        return true;
      },
    );
    await settleDrawn(backend, v.drawn, deps);
    outcome = 'promoted';
    exitCode = ExitCode.ok;
    message = `rotated ${secret} on ${hosts.length - missing.length} of ${hosts.length} host(s): every acknowledged host verified, new version promoted${missing.length ? `; ${missing.join(', ')} did not answer and will converge on their next run` : ''}${raced ? ' (an abort recorded during the promote came too late: the new version stands, every host verified it)' : ''}`;
  } else {
    // aborted from outside: the end record and the discard are done already
    if (!watch.endedOutside()) {
      await end('aborted', failure).catch((e: unknown) => {
        if (!isEntryTaken(e)) throw e;
      });
      await discardPending(plan.backend, receipts, rollout, deps);
    }
    const { restored, stuck } = await watch.awaitRestored();
    outcome = 'aborted';
    exitCode = stuck.length ? ExitCode.rollbackFailed : watch.endedOutside() ? ExitCode.unsafe : failure.includes('timed out') ? ExitCode.backend : ExitCode.verificationFailedRolledBack;
    message = `rollout of ${secret} aborted: ${failure}. Pending version discarded; ${restored} host(s) confirmed they hold the old credential, verified${stuck.length ? `; ${stuck.join(', ')} delivered the new one and have not confirmed putting it back yet (their agent does it on its next run: rekey status --fleet)` : ''}`;
  }
  const hostList = [...watch.state.values()];
  await deps.audit.append(
    runRecord('rotate-fleet', rollout, plan, deps, started, {
      outcome: outcome === 'promoted' ? 'promoted' : 'rolled-back',
      exitCode,
      oldFingerprints: v.oldFp,
      newFingerprints: newFp,
      rollbackPoint: v.oldFp,
      ...(failure ? { failure: { reason: failure } } : {}),
      fleet: { rollout, seq, waves, hosts: Object.fromEntries(hostList.map((h) => [h.host, h.at ? { ack: h.state, fingerprints: h.fingerprints, at: h.at } : null])), ...(missing.length ? { missing } : {}) },
    }),
  );
  return { ...base, rollout, seq, dryRun: false, outcome, exitCode, message, hosts: hostList, newFingerprints: newFp, oldFingerprints: v.oldFp };
}
