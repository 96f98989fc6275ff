import { describeError, isRekeyError, VerificationFailedError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Clock, Journal, SecretBackend, ServiceManager, Sink, SnapshotStore, Verifier } from '../core/ports.js';
import type { SecretValue } from '../core/secret-value.js';
import type { Target } from '../core/target.js';
import { apply, next, runnable, type JournalEvent, type PlanSummary, type RotationState } from './state.js';

import { isRollback, type Phase, type Terminal } from './transitions.js';
import { withTimeout } from './timeout.js';

export interface RunnerDeps {
  backend: SecretBackend;
  sink(kind: string): Sink;
  service(svc: NonNullable<Target['service']>): ServiceManager;
  verifier(kind: string): Verifier;
  journal: Journal;
  snapshots: SnapshotStore;
  clock: Clock;
  log: Logger;
  /** the one retry layer, around backend calls */
  retry<T>(what: string, fn: () => Promise<T>): Promise<T>;
  /** aborts forward work (Ctrl-C); the rollback runs on its own signal */
  signal: AbortSignal;
  rollbackTimeoutMs: number;
  stepTimeoutMs: number;
  /** progress display */
  onEvent?: (e: JournalEvent) => void;
  /** called after each journal append (crash injection in tests) */
  afterAppend?: (e: JournalEvent) => void | Promise<void>;
  /** restarts and verifications side by side, up to this many (default 1: one after another) */
  parallel?: number;
}

export interface RunInput {
  rotationId: string;
  summary: PlanSummary;
  targets: Target[];
  /** new value per backend ref; absent when resuming (only roll-forward/rollback remain) */
  newValues: Map<string, SecretValue>;
  /** the values current when the rotation began (rollback re-verifies them without the backend); absent when resuming */
  oldValues?: Map<string, SecretValue | null>;
}

export interface RunResult {
  state: RotationState;
  outcome: Terminal;
  verified: Map<string, boolean>;
}

/** Drives the transition table to an end, journaling before and after every port call. */
export async function runRotation(input: RunInput, state: RotationState, deps: RunnerDeps): Promise<RunResult> {
  const { rotationId, summary } = input;
  const byId = new Map(input.targets.map((t) => [t.id, t]));
  const verified = new Map<string, boolean>();
  const log = deps.log.child({ rotationId, secret: summary.secret });
  let s = state;

  // one journal append at a time, in order, even when steps run side by side
  let queue: Promise<unknown> = Promise.resolve();
  const emit = (e: JournalEvent): Promise<void> => {
    const p = queue.then(async () => {
      await deps.journal.append(e);
      s = apply(s, e);
      deps.onEvent?.(e);
      await deps.afterAppend?.(e);
    });
    queue = p.catch(() => undefined);
    return p;
  };
  const at = () => deps.clock.now().toISOString();
  const target = (id: string): Target => {
    const t = byId.get(id);
    if (!t) throw new Error(`target ${id} is not in the plan`);
    return t;
  };
  const unitTarget = (unit: string): Target => target(summary.units[unit]![0]!);
  /** forward steps stop on Ctrl-C; rollback steps run on their own signal; every step is bounded */
  const signalFor = (phase: Phase) => AbortSignal.any([isRollback(phase) ? AbortSignal.timeout(deps.rollbackTimeoutMs) : deps.signal, AbortSignal.timeout(deps.stepTimeoutMs)]);

  const runItem = async (phase: Phase, item: string, signal: AbortSignal): Promise<{ changed?: boolean; detail?: string; receipt?: string }> => {
    switch (phase) {
      case 'stage': {
        const value = input.newValues.get(item);
        if (!value) throw new Error(`no new value for ${item} (a resumed rotation never stages)`);
        const r = await deps.retry(`stage ${item}`, () => deps.backend.stage(item, value, rotationId, signal));
        return { detail: `version ${r.versionId} pending (${value.fingerprint})${r.detail ? `, ${r.detail}` : ''}`, ...(r.receipt !== undefined ? { receipt: r.receipt } : {}) };
      }
      case 'snapshot': {
        const t = target(item);
        const previous = input.oldValues?.has(t.ref)
          ? input.oldValues.get(t.ref)!
          : ((await deps.retry(`read current ${t.ref}`, () => deps.backend.read(t.ref, 'current', signal)))?.value ?? null);
        const snap = await deps.sink(t.sink.kind).snapshot(t, signal, previous);
        await deps.snapshots.save(rotationId, snap);
        return {};
      }
      case 'deliver': {
        const t = target(item);
        const value = input.newValues.get(t.ref);
        if (!value) throw new Error(`no new value for ${t.ref}`);
        const r = await deps.sink(t.sink.kind).write(t, value, signal);
        return { changed: r.changed, detail: r.changed ? `wrote ${value.fingerprint}` : 'already held the new value' };
      }
      case 'restart':
      case 'restart-old': {
        const t = unitTarget(item);
        await deps.service(t.service!).restart(item, signal, { startTimeoutMs: t.service!.startTimeoutMs, settleMs: t.service!.settleMs });
        return { detail: 'active' };
      }
      case 'verify': {
        const t = target(item);
        const value = input.newValues.get(t.ref);
        if (!value) throw new Error(`no new value for ${t.ref}`);
        const r = await deps.verifier(t.verify.kind).verify(t, value, signal, { refused: input.oldValues?.get(t.ref) ?? null, forward: true });
        verified.set(t.id, r.ok);
        if (!r.ok) throw new VerificationFailedError(`${t.id}: ${r.reason}${r.diagnosis ? ` — ${r.diagnosis}` : ''}`, { details: { target: t.id, layer: r.layer } });
        return { detail: r.detail };
      }
      case 'verify-old': {
        const t = target(item);
        const old = input.oldValues?.has(t.ref)
          ? input.oldValues.get(t.ref)!
          : ((await deps.retry(`read current ${t.ref}`, () => deps.backend.read(t.ref, 'current', signal)))?.value ?? null);
        if (!old) return { detail: 'there was no previous credential: nothing to verify' };
        const r = await deps.verifier(t.verify.kind).verify(t, old, signal, { refused: input.newValues.get(t.ref) ?? null });
        if (!r.ok) throw new VerificationFailedError(`${t.id}: the old credential ${old.fingerprint} does not verify either: ${r.reason}${r.diagnosis ? ` — ${r.diagnosis}` : ''}`);
        return { detail: `old credential ${old.fingerprint} verified (${r.detail})` };
      }
      case 'promote':
        await deps.retry(`promote ${item}`, () => deps.backend.promote(item, rotationId, signal, s.receipts.get(item)));
        return { detail: 'pending → current' };
      case 'discard':
        await deps.retry(`discard ${item}`, () => deps.backend.discard(item, rotationId, signal, s.receipts.get(item)));
        return { detail: 'pending version discarded' };
      case 'restore': {
        const t = target(item);
        const snap = await deps.snapshots.load(rotationId, item);
        if (!snap) throw new Error(`no snapshot of ${item}: cannot restore it`);
        const r = await deps.sink(t.sink.kind).restore(t, snap, signal);
        return { changed: r.changed, detail: r.changed ? 'restored' : 'already as before' };
      }
      case 'finish':
        await deps.snapshots.drop(rotationId);
        return { detail: 'snapshots removed' };
    }
  };

  /** one item: journaled before and after its port call */
  const step = async (phase: Phase, item: string) => {
    await emit({ type: 'start', rotationId, at: at(), phase, item });
    log.trace({ phase, item }, 'step start');
    const began = deps.clock.now().getTime();
    try {
      const signal = signalFor(phase);
      // a port that ignores its signal still cannot hang the rotation
      const r = await withTimeout(runItem(phase, item, signal), deps.stepTimeoutMs, `${phase} ${item}`, signal);
      await emit({ type: 'ok', rotationId, at: at(), phase, item, ...r });
      log.debug({ phase, item, changed: r.changed, detail: r.detail, ms: deps.clock.now().getTime() - began }, 'step ok');
    } catch (e) {
      const reason = describeError(e);
      log.warn({ phase, item, code: isRekeyError(e) ? e.code : undefined, reason }, 'step failed');
      await emit({ type: 'fail', rotationId, at: at(), phase, item, reason, ...(isRekeyError(e) ? { code: e.code } : {}) });
    }
  };

  for (;;) {
    const n = next(summary, s);
    if (n.kind === 'end') {
      // rollback-failed and incomplete stay open in the journal: `rekey resume` retries them
      if (!s.outcome && (n.outcome === 'promoted' || n.outcome === 'rolled-back')) {
        const reason = s.failure ? `${s.failure.phase} ${s.failure.item}: ${s.failure.reason}` : undefined;
        await emit({ type: 'end', rotationId, at: at(), outcome: n.outcome, ...(reason ? { reason } : {}) });
      }
      if (n.outcome === 'rolled-back') await deps.snapshots.drop(rotationId);
      return { state: s, outcome: n.outcome, verified };
    }
    if (n.kind === 'enter') {
      const reason = isRollback(n.phase) && !isRollback(s.phase ?? 'stage') && s.failure ? s.failure.reason : undefined;
      await emit({ type: 'phase', rotationId, at: at(), phase: n.phase, ...(reason ? { reason } : {}) });
      log.debug({ phase: n.phase, ...(reason ? { reason } : {}) }, 'phase');
      continue;
    }
    const batch = (deps.parallel ?? 1) > 1 ? runnable(summary, s, deps.parallel!) : [];
    await Promise.all((batch.length ? batch : [n.item]).map((item) => step(n.phase, item)));
  }
}
