import type { Plan } from '../plan/planner.js';
import { isRollback, ROLL_FORWARD, TRANSITIONS, type Edge, type Phase, type Terminal } from './transitions.js';

/** One line of the journal. `info` carries fingerprints, flags and reasons: never values. */
export type JournalEvent =
  | {
      type: 'begin';
      rotationId: string;
      secret: string;
      at: string;
      plan: PlanSummary;
      oldFingerprints: Record<string, string | null>;
      newFingerprints: Record<string, string>;
      /** not a rotation: another command that writes (src/rotation/op-journal.ts), with its arguments */
      op?: 'adopt' | 'device-rotate';
      args?: Record<string, string>;
      /** an emergency revoke: the old values are retired upstream at once after the promote (resume does it too) */
      retireNow?: boolean;
      /** a host's part in a fleet rollout: the backend's versions are the coordinator's, resume never moves them (src/usecases/fleet) */
      fleet?: { rollout: string | null; seq: number; what: 'delivered' | 'restored' | 'converged' };
    }
  | { type: 'step'; rotationId: string; at: string; step: string; status: 'start' | 'ok' | 'fail'; detail?: string }
  | { type: 'phase'; rotationId: string; at: string; phase: Phase; reason?: string }
  | { type: 'start'; rotationId: string; at: string; phase: Phase; item: string }
  | { type: 'ok'; rotationId: string; at: string; phase: Phase; item: string; changed?: boolean; detail?: string; receipt?: string }
  | { type: 'fail'; rotationId: string; at: string; phase: Phase; item: string; reason: string; code?: string }
  | { type: 'end'; rotationId: string; at: string; outcome: Terminal | 'done' | 'failed'; reason?: string };

/** What the journal keeps of the plan: enough to resume without re-reading a changed policy. */
export interface PlanSummary {
  secret: string;
  layer: Plan['layer'];
  refs: string[];
  targetIds: string[];
  /** unit → target ids behind it */
  units: Record<string, string[]>;
  filter: { env?: string | undefined; agent?: string | undefined };
  /**
   * The plan as resolved when the rotation began (paths, units, variables, item ids, the backend;
   * never values): `resume` finishes the rotation on exactly these, even if the policy changed.
   * Absent in journals of rekey before journal format 1 had it: resume then re-plans.
   */
  resolved?: Plan;
}

export interface RotationState {
  rotationId: string;
  phase: Phase | null;
  done: Map<Phase, Set<string>>;
  started: Map<Phase, Set<string>>;
  failed: Map<Phase, Set<string>>;
  /** target id → whether a deliver / restore changed what the consumer reads */
  delivered: Map<string, boolean>;
  restored: Map<string, boolean>;
  /** ref → the backend's receipt from its stage step (handed back to promote / discard) */
  receipts: Map<string, string>;
  failure: { phase: Phase; item: string; reason: string; code?: string | undefined } | null;
  outcome: Terminal | null;
}

export function summarize(plan: Plan, filter: PlanSummary['filter']): PlanSummary {
  const units: Record<string, string[]> = {};
  for (const t of plan.targets) {
    if (t.service) (units[t.service.unit] ??= []).push(t.id);
  }
  return { secret: plan.secret, layer: plan.layer, refs: plan.refs, targetIds: plan.targets.map((t) => t.id), units, filter, resolved: plan };
}

export function initialState(rotationId: string): RotationState {
  return { rotationId, phase: null, done: new Map(), started: new Map(), failed: new Map(), delivered: new Map(), restored: new Map(), receipts: new Map(), failure: null, outcome: null };
}

const add = (m: Map<Phase, Set<string>>, p: Phase, item: string) => {
  let s = m.get(p);
  if (!s) m.set(p, (s = new Set()));
  s.add(item);
};

/** Fold one journal event into the state (pure; used live and when replaying for resume). */
export function apply(state: RotationState, e: JournalEvent): RotationState {
  switch (e.type) {
    case 'begin':
      return { ...state, phase: 'stage' };
    case 'phase':
      return { ...state, phase: e.phase };
    case 'start':
      add(state.started, e.phase, e.item);
      return state;
    case 'ok':
      add(state.done, e.phase, e.item);
      if (e.phase === 'deliver') state.delivered.set(e.item, e.changed ?? true);
      if (e.phase === 'restore') state.restored.set(e.item, e.changed ?? true);
      if (e.phase === 'stage' && e.receipt !== undefined) state.receipts.set(e.item, e.receipt);
      return state;
    case 'fail':
      add(state.failed, e.phase, e.item);
      return state.failure ? state : { ...state, failure: { phase: e.phase, item: e.item, reason: e.reason, code: e.code } };
    case 'step':
      return state;
    case 'end':
      return { ...state, outcome: e.outcome as Terminal };
  }
}

/** The items a phase must work through, given the plan and what happened so far. */
export function itemsFor(phase: Phase, plan: PlanSummary, s: RotationState): string[] {
  const unitsWhere = (pred: (targetId: string) => boolean) =>
    Object.entries(plan.units)
      .filter(([, ids]) => ids.some(pred))
      .map(([unit]) => unit);
  switch (phase) {
    case 'stage':
    case 'promote':
      return plan.refs;
    case 'discard':
      return plan.refs.filter((r) => s.started.get('stage')?.has(r));
    case 'snapshot':
    case 'deliver':
    case 'verify':
      return plan.targetIds;
    case 'restart':
      // restart only a unit whose consumers' files really changed
      return unitsWhere((id) => s.delivered.get(id) === true);
    case 'finish':
      return ['audit'];
    case 'restore':
      return plan.targetIds.filter((id) => s.done.get('snapshot')?.has(id));
    case 'restart-old': {
      // a unit that was (maybe) restarted on the new value, or whose file the restore changed back
      const restarted = s.started.get('restart') ?? new Set<string>();
      return Object.keys(plan.units).filter((u) => restarted.has(u) || plan.units[u]!.some((id) => s.restored.get(id) === true));
    }
    case 'verify-old':
      return plan.targetIds.filter((id) => s.started.get('deliver')?.has(id));
  }
}

export type Next = { kind: 'run'; phase: Phase; item: string } | { kind: 'enter'; phase: Phase } | { kind: 'end'; outcome: Terminal };

function follow(edge: Edge): Next {
  return typeof edge === 'string' ? { kind: 'enter', phase: edge } : { kind: 'end', outcome: edge.end };
}

/**
 * The pure transition function: what to do next. A forward phase takes its `fail` edge at the
 * first failed item; a rollback phase works through every item (one target that cannot be
 * restored must not leave the others unrestored) and takes its `fail` edge at the end.
 */
export function next(plan: PlanSummary, s: RotationState): Next {
  if (s.outcome) return { kind: 'end', outcome: s.outcome };
  const phase = s.phase ?? 'stage';
  const failed = s.failed.get(phase) ?? new Set<string>();
  const done = s.done.get(phase) ?? new Set<string>();
  const t = TRANSITIONS[phase];
  const failEdge = done.size > 0 && t.failAfterProgress ? t.failAfterProgress : t.fail;
  if (failed.size > 0 && !isRollback(phase)) return follow(failEdge);
  const first = itemsFor(phase, plan, s).find((i) => !done.has(i) && !failed.has(i));
  if (first !== undefined) return { kind: 'run', phase, item: first };
  return follow(failed.size > 0 ? failEdge : t.ok);
}

/**
 * Phases whose items may run side by side (`--max-parallel`): each restart item is its own unit,
 * each verification only reads. Delivery stays one at a time: two targets may share a file.
 */
export const PARALLEL_PHASES: ReadonlySet<Phase> = new Set<Phase>(['restart', 'verify', 'restart-old', 'verify-old']);

/** after `next` said run: up to `k` items of the current phase that may start together (none outside PARALLEL_PHASES) */
export function runnable(plan: PlanSummary, s: RotationState, k: number): string[] {
  const phase = s.phase ?? 'stage';
  if (!PARALLEL_PHASES.has(phase)) return [];
  const failed = s.failed.get(phase) ?? new Set<string>();
  const done = s.done.get(phase) ?? new Set<string>();
  return itemsFor(phase, plan, s)
    .filter((i) => !done.has(i) && !failed.has(i))
    .slice(0, k);
}

/**
 * After a crash: where to pick up. Interrupted before the point of no return → roll back
 * (the journal gets a 'phase' event into the rollback with the reason). From promote on → on.
 */
export function resumeDecision(s: RotationState): { rollBack: boolean; reason: string } {
  const phase = s.phase ?? 'stage';
  if (isRollback(phase)) return { rollBack: false, reason: `continuing the rollback from ${phase}` };
  if (ROLL_FORWARD.has(phase)) return { rollBack: false, reason: `past the point of no return (${phase}): rolling forward` };
  return { rollBack: true, reason: `interrupted during ${phase}, before promote: rolling back` };
}

/** Where a forced rollback enters from a forward phase (same as that phase's fail edge). */
export function rollbackEntry(phase: Phase): Phase {
  const edge = TRANSITIONS[phase].fail;
  if (typeof edge === 'string') return edge;
  return 'restore';
}
