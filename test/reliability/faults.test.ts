/**
 * Faults at every port call, on the ports' fakes: the n-th call of each port method (backend read,
 * stage, promote, discard; sink snapshot, write, restore; service restart; verifier) fails, hangs
 * past the step timeout, or is slow. Invariants in every case: nothing is promoted unless every
 * target verified with the new value; every rollback re-verifies the old value on every target it
 * delivered to; after the fault is gone, `resume` leaves backend and consumers agreeing.
 */
import { describe, expect, test } from 'vitest';
import { NEW, OLD, policy, REF, T, world } from '../harness/fake-world.js';
import { resumeAll } from '../../src/usecases/resume.js';
import { rotate } from '../../src/usecases/rotate.js';
import { record } from '../harness/figures.js';

type Fault = 'fail' | 'hang' | 'slow';
const PORT_CALLS = [
  ['backend', 'read'],
  ['backend', 'stage'],
  ['backend', 'promote'],
  ['backend', 'discard'],
  ['sink', 'snapshot'],
  ['sink', 'write'],
  ['sink', 'restore'],
  ['service', 'restart'],
  ['verifier', 'verify'],
] as const;


/** make the nth call of obj[method] misbehave; returns how many calls happened and a restore() */
function inject(obj: Record<string, any>, method: string, nth: number, fault: Fault) {
  const orig = obj[method];
  let calls = 0;
  obj[method] = async (...args: unknown[]) => {
    if (++calls === nth) {
      if (fault === 'fail') throw new Error(`injected failure of ${method}`);
      if (fault === 'hang') return new Promise(() => {});
      await new Promise((r) => setTimeout(r, 30));
    }
    return orig.apply(obj, args);
  };
  return { calls: () => calls, restore: () => void (obj[method] = orig) };
}

describe('faults at every port call', () => {
  test('every injected failure, hang and slowness keeps the invariants', async () => {
    const f = { cases: 0, promoted: 0, rolledBack: 0, refused: 0, resumed: 0, promotedWithoutVerify: 0, rollbackNotReverified: 0, disagree: 0 };
    for (const newVerifies of [true, false])
    for (const [port, method] of PORT_CALLS) {
      for (const fault of ['fail', 'hang', 'slow'] as Fault[]) {
        for (let nth = 1; nth <= 3; nth++) {
          const w = await world(newVerifies);
          const obj = { backend: w.backend, sink: w.sink, service: w.service, verifier: w.verifier }[port] as unknown as Record<string, any>;
          const inj = inject(obj, method, nth, fault);
          const r = await rotate(policy, 'anthropic', {}, { dryRun: false }, w.deps).then(
            (x) => ({ outcome: x.outcome as string }),
            () => ({ outcome: 'refused' }),
          );
          inj.restore();
          if (inj.calls() < nth) continue; // no nth call of this method in a rotation
          f.cases++;
          const verifiedNew = (id: string) => w.verifier.calls.some((c) => c.target === id && c.fingerprint === NEW.fingerprint);
          const cur = (await w.backend.read(REF, 'current', w.deps.signal))!.value;
          if (cur.equals(NEW) && !T.every(verifiedNew)) f.promotedWithoutVerify++;
          if (r.outcome === 'promoted') f.promoted++;
          else if (r.outcome === 'refused') f.refused++;
          else if (r.outcome.startsWith('rolled-back')) {
            f.rolledBack++;
            const begin = [...w.journal.events.values()].flat();
            const delivered = new Set(begin.filter((e) => e.type === 'start' && e.phase === 'deliver').map((e) => (e as { item: string }).item));
            for (const id of delivered) {
              const oldChecks = w.verifier.calls.filter((c) => c.target === id && c.fingerprint === OLD.fingerprint).length;
              if (oldChecks < 2) f.rollbackNotReverified++; // one baseline, at least one after the rollback
            }
          }
          if ((await w.journal.unfinished()).length > 0) {
            f.resumed++;
            w.locks.held.clear();
            await resumeAll(policy, w.deps);
            expect(await w.journal.unfinished(), `${port}.${method} ${fault} #${nth}`).toEqual([]);
          }
          const end = (await w.backend.read(REF, 'current', w.deps.signal))!.value;
          if (!T.every((id) => w.sink.values.get(id)?.equals(end))) f.disagree++;
        }
      }
    }
    const S = 'faults (fakes)';
    record({ suite: S, measure: 'cases run', value: f.cases });
    record({ suite: S, measure: 'promoted / rolled back / refused', value: `${f.promoted}/${f.rolledBack}/${f.refused}` });
    record({ suite: S, measure: 'left open, then resumed', value: f.resumed });
    record({ suite: S, measure: 'promoted without verification', value: f.promotedWithoutVerify, must: '0' });
    record({ suite: S, measure: 'rollbacks not re-verified', value: f.rollbackNotReverified, must: '0' });
    record({ suite: S, measure: 'backend/consumers disagree', value: f.disagree, must: '0' });
    expect(f.cases).toBeGreaterThan(80);
    expect(f.resumed).toBeGreaterThan(0);
    expect(f.promotedWithoutVerify).toBe(0);
    expect(f.rollbackNotReverified).toBe(0);
    expect(f.disagree).toBe(0);
  }, 300_000);
});
