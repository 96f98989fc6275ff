import { describe, expect, test } from 'vitest';
import { apply, initialState, next, resumeDecision, rollbackEntry, type JournalEvent, type PlanSummary, type RotationState } from '../../src/rotation/state.js';
import { FORWARD_PHASES, ROLLBACK_PHASES, TRANSITIONS } from '../../src/rotation/transitions.js';

const plan: PlanSummary = { secret: 's', layer: 'provider-key', refs: ['r1'], targetIds: ['t1', 't2'], units: { 'u.service': ['t1', 't2'] }, filter: {} };
const at = 'x';
const ev = (e: Partial<JournalEvent> & { type: JournalEvent['type'] }) => ({ rotationId: 'R', at, ...e }) as JournalEvent;

/** Drive next() with every item succeeding, except `fails`, and collect the steps. */
function drive(fails: Set<string> = new Set(), changed = true): { steps: string[]; s: RotationState } {
  let s = apply(initialState('R'), ev({ type: 'begin', secret: 's' } as never));
  const steps: string[] = [];
  for (let i = 0; i < 100; i++) {
    const n = next(plan, s);
    if (n.kind === 'end') return { steps: [...steps, `end:${n.outcome}`], s };
    if (n.kind === 'enter') {
      s = apply(s, ev({ type: 'phase', phase: n.phase }));
      continue;
    }
    steps.push(`${n.phase}:${n.item}`);
    const key = `${n.phase}:${n.item}`;
    s = apply(s, ev({ type: 'start', phase: n.phase, item: n.item }));
    s = fails.has(key)
      ? apply(s, ev({ type: 'fail', phase: n.phase, item: n.item, reason: 'boom' }))
      : apply(s, ev({ type: 'ok', phase: n.phase, item: n.item, changed }));
  }
  throw new Error('no end');
}

describe('the transition table', () => {
  test('every phase has both edges, and only promote/finish lead to promoted', () => {
    for (const p of [...FORWARD_PHASES, ...ROLLBACK_PHASES]) {
      expect(TRANSITIONS[p]).toHaveProperty('ok');
      expect(TRANSITIONS[p]).toHaveProperty('fail');
    }
    const promoting = Object.entries(TRANSITIONS).filter(([, e]) => typeof e.ok !== 'string' && e.ok.end === 'promoted').map(([p]) => p);
    // a failure never ends promoted
    for (const e of Object.values(TRANSITIONS)) {
      for (const edge of [e.fail, e.failAfterProgress]) if (edge && typeof edge !== 'string') expect(edge.end === 'promoted' && e !== TRANSITIONS.finish).toBe(false);
    }
    expect(promoting).toEqual(['finish']);
  });

  test('happy path: stage, snapshot, deliver, one restart per unit, verify, promote, finish', () => {
    expect(drive().steps).toEqual(['stage:r1', 'snapshot:t1', 'snapshot:t2', 'deliver:t1', 'deliver:t2', 'restart:u.service', 'verify:t1', 'verify:t2', 'promote:r1', 'finish:audit', 'end:promoted']);
  });

  test('no restart when nothing changed', () => {
    expect(drive(new Set(), false).steps).not.toContain('restart:u.service');
  });

  test('verification failure rolls back every snapshotted target, restarts, re-verifies the old value, discards', () => {
    const { steps } = drive(new Set(['verify:t2']));
    expect(steps.slice(steps.indexOf('verify:t2') + 1)).toEqual(['restore:t1', 'restore:t2', 'restart-old:u.service', 'verify-old:t1', 'verify-old:t2', 'discard:r1', 'end:rolled-back']);
  });

  test('a failing restore does not stop the other restores; the rollback then fails', () => {
    const { steps } = drive(new Set(['verify:t1', 'restore:t1']));
    expect(steps).toContain('restore:t2');
    expect(steps.at(-1)).toBe('end:rollback-failed');
  });

  test('stage failure: nothing delivered, only the discard', () => {
    expect(drive(new Set(['stage:r1'])).steps).toEqual(['stage:r1', 'discard:r1', 'end:rolled-back']);
  });

  test('promote failing before anything moved: the backend still says old, so consumers roll back', () => {
    const { steps } = drive(new Set(['promote:r1']));
    expect(steps.slice(steps.indexOf('promote:r1') + 1, steps.indexOf('promote:r1') + 2)).toEqual(['restore:t1']);
    expect(steps.at(-1)).toBe('end:rolled-back');
  });

  test('promote failing after one ref moved: past the point of no return, incomplete (resume rolls forward)', () => {
    const two: PlanSummary = { ...plan, refs: ['r1', 'r2'] };
    let s = apply(initialState('R'), ev({ type: 'begin', secret: 's' } as never));
    for (const p of ['promote'] as const) {
      s = apply(s, ev({ type: 'phase', phase: p }));
      s = apply(s, ev({ type: 'ok', phase: p, item: 'r1' }));
      s = apply(s, ev({ type: 'fail', phase: p, item: 'r2', reason: 'boom' }));
    }
    expect(next(two, s)).toEqual({ kind: 'end', outcome: 'incomplete' });
  });

  test('a discard that fails leaves the rollback done but unclean (journal stays open)', () => {
    expect(drive(new Set(['verify:t1', 'discard:r1'])).steps.at(-1)).toBe('end:rolled-back-unclean');
  });

  test('resume: before promote roll back, from promote on roll forward', () => {
    const at = (phase: 'deliver' | 'verify' | 'promote' | 'restore') => ({ ...initialState('R'), phase });
    expect(resumeDecision(at('deliver')).rollBack).toBe(true);
    expect(resumeDecision(at('verify')).rollBack).toBe(true);
    expect(resumeDecision(at('promote')).rollBack).toBe(false);
    expect(resumeDecision(at('restore')).rollBack).toBe(false);
    expect(rollbackEntry('stage')).toBe('discard');
    expect(rollbackEntry('deliver')).toBe('restore');
  });
});
