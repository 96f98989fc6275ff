/**
 * The rotation state machine as data. Each phase works through a list of items (backend refs,
 * targets or units); when every item is done the table's `ok` edge is taken, when one fails the
 * `fail` edge. `promote` is the point of no return: before it, failure (or a crash) rolls back;
 * from it on, `resume` rolls forward.
 */
export const FORWARD_PHASES = ['stage', 'snapshot', 'deliver', 'restart', 'verify', 'promote', 'finish'] as const;
export const ROLLBACK_PHASES = ['restore', 'restart-old', 'verify-old', 'discard'] as const;
export type Phase = (typeof FORWARD_PHASES)[number] | (typeof ROLLBACK_PHASES)[number];

export type Terminal = 'promoted' | 'rolled-back' | 'rollback-failed' | 'incomplete';
export type Edge = Phase | { end: Terminal };

export const TRANSITIONS: Record<Phase, { ok: Edge; fail: Edge }> = {
  stage: { ok: 'snapshot', fail: 'discard' },
  snapshot: { ok: 'deliver', fail: 'discard' },
  deliver: { ok: 'restart', fail: 'restore' },
  restart: { ok: 'verify', fail: 'restore' },
  verify: { ok: 'promote', fail: 'restore' },
  promote: { ok: 'finish', fail: { end: 'incomplete' } },
  finish: { ok: { end: 'promoted' }, fail: { end: 'promoted' } },
  restore: { ok: 'restart-old', fail: { end: 'rollback-failed' } },
  'restart-old': { ok: 'verify-old', fail: { end: 'rollback-failed' } },
  'verify-old': { ok: 'discard', fail: { end: 'rollback-failed' } },
  discard: { ok: { end: 'rolled-back' }, fail: { end: 'rolled-back' } },
};

/** Phases at or after the point of no return: an interrupted rotation here is rolled forward. */
export const ROLL_FORWARD: ReadonlySet<Phase> = new Set(['promote', 'finish']);

export function isRollback(phase: Phase): boolean {
  return (ROLLBACK_PHASES as readonly string[]).includes(phase);
}
