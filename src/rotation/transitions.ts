/**
 * The rotation state machine as data. Each phase works through a list of items (backend refs,
 * targets or units); when every item is done the table's `ok` edge is taken, when one fails the
 * `fail` edge. `promote` is the point of no return: before it, failure (or a crash) rolls back;
 * from it on, `resume` rolls forward.
 */
export const FORWARD_PHASES = ['stage', 'snapshot', 'deliver', 'restart', 'verify', 'promote', 'finish'] as const;
export const ROLLBACK_PHASES = ['restore', 'restart-old', 'verify-old', 'discard'] as const;
export type Phase = (typeof FORWARD_PHASES)[number] | (typeof ROLLBACK_PHASES)[number];

/**
 * promoted · rolled-back · rolled-back-unclean (consumers rolled back and verified, but the
 * pending version could not be discarded: resume retries) · rollback-failed · incomplete
 * (promote partly done: resume rolls forward)
 */
export type Terminal = 'promoted' | 'rolled-back' | 'rolled-back-unclean' | 'rollback-failed' | 'incomplete';
export type Edge = Phase | { end: Terminal };

/** `failAfterProgress`: the edge when the phase fails after some of its items already succeeded */
export const TRANSITIONS: Record<Phase, { ok: Edge; fail: Edge; failAfterProgress?: Edge }> = {
  stage: { ok: 'snapshot', fail: 'discard' },
  snapshot: { ok: 'deliver', fail: 'discard' },
  deliver: { ok: 'restart', fail: 'restore' },
  restart: { ok: 'verify', fail: 'restore' },
  verify: { ok: 'promote', fail: 'restore' },
  // nothing promoted yet: the backend still says old, so roll consumers back to it
  promote: { ok: 'finish', fail: 'restore', failAfterProgress: { end: 'incomplete' } },
  finish: { ok: { end: 'promoted' }, fail: { end: 'promoted' } },
  restore: { ok: 'restart-old', fail: { end: 'rollback-failed' } },
  'restart-old': { ok: 'verify-old', fail: { end: 'rollback-failed' } },
  'verify-old': { ok: 'discard', fail: { end: 'rollback-failed' } },
  discard: { ok: { end: 'rolled-back' }, fail: { end: 'rolled-back-unclean' } },
};

/**
 * Phases where an interrupted rotation is rolled forward: promote may have moved some refs already
 * (a promote that then fails with nothing moved still rolls back, see the table).
 */
export const ROLL_FORWARD: ReadonlySet<Phase> = new Set(['promote', 'finish']);

export function isRollback(phase: Phase): boolean {
  return (ROLLBACK_PHASES as readonly string[]).includes(phase);
}
