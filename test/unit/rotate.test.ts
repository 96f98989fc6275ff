import { describe, expect, test } from 'vitest';
import { put } from '../../src/usecases/put.js';
import { NEW, OLD, policy, policyText, REF, T, world } from '../harness/fake-world.js';
import { parsePolicy } from '../../providers/registry.js';
import { resumeAll } from '../../src/usecases/resume.js';
import { rotate } from '../../src/usecases/rotate.js';
import { fakeDeps } from '../harness/memory-stores.js';


const current = async (w: Awaited<ReturnType<typeof world>>) => (await w.backend.read(REF, 'current', w.deps.signal))?.value;
const pending = async (w: Awaited<ReturnType<typeof world>>) => (await w.backend.read(REF, 'pending', w.deps.signal))?.value;

describe('rotate on fakes', () => {
  test('happy path: delivered, one restart, verified, promoted, audited with fingerprints', async () => {
    const w = await world();
    const r = await rotate(policy, 'anthropic', {}, { dryRun: false }, w.deps);
    expect(r.outcome).toBe('promoted');
    expect(r.exitCode).toBe(0);
    expect(T.map((id) => w.sink.values.get(id)?.equals(NEW))).toEqual([true, true]);
    expect(w.service.restarts).toEqual(['gw.service']);
    expect((await current(w))!.equals(NEW)).toBe(true);
    expect(await pending(w)).toBeUndefined();
    expect((await w.backend.read(REF, 'previous', w.deps.signal))!.value.equals(OLD)).toBe(true);
    const audit = w.audit.records.at(-1)!;
    expect(audit).toMatchObject({ outcome: 'promoted', oldFingerprints: { [REF]: OLD.fingerprint }, newFingerprints: { [REF]: NEW.fingerprint } });
    expect(JSON.stringify(audit)).not.toContain(NEW.reveal());
    expect(w.snapshots.data.size).toBe(0);
  });

  test('dry run changes nothing', async () => {
    const w = await world();
    const r = await rotate(policy, 'anthropic', {}, { dryRun: true }, w.deps);
    expect(r.outcome).toBe('dry-run');
    expect(w.sink.values.get(T[0]!)!.equals(OLD)).toBe(true);
    expect(w.journal.events.size).toBe(0);
  });

  test('verification fails → every target restored, restarted, old value re-verified, pending discarded, exit 5', async () => {
    const w = await world();
    w.verifier.accept.delete(NEW.fingerprint);
    const r = await rotate(policy, 'anthropic', {}, { dryRun: false }, w.deps);
    expect(r.outcome).toBe('rolled-back');
    expect(r.exitCode).toBe(5);
    expect(T.map((id) => w.sink.values.get(id)?.equals(OLD))).toEqual([true, true]);
    expect(w.service.restarts).toEqual(['gw.service', 'gw.service']);
    // two baseline checks before anything was written, two re-verifications after the rollback
    expect(w.verifier.calls.map((c) => c.fingerprint)).toEqual([OLD, OLD, NEW, OLD, OLD].map((v) => v.fingerprint));
    expect((await current(w))!.equals(OLD)).toBe(true);
    expect(await pending(w)).toBeUndefined();
  });

  test('restart fails → rollback', async () => {
    const w = await world();
    w.service.failRestart.add('gw.service');
    let calls = 0;
    const orig = w.service.restart.bind(w.service);
    w.service.restart = async (u, s, o) => {
      // the first restart (new value) fails; the rollback's restart works
      if (++calls > 1) w.service.failRestart.delete('gw.service');
      return orig(u, s, o);
    };
    const r = await rotate(policy, 'anthropic', {}, { dryRun: false }, w.deps);
    expect(r.outcome).toBe('rolled-back');
    expect(r.failure?.phase).toBe('restart');
    expect(T.map((id) => w.sink.values.get(id)?.equals(OLD))).toEqual([true, true]);
  });

  test('a rollback that cannot restore → exit 6, journal left open, resume retries it', async () => {
    const w = await world();
    w.verifier.accept.delete(NEW.fingerprint);
    w.sink.fail.add('restore');
    const r = await rotate(policy, 'anthropic', {}, { dryRun: false }, w.deps);
    expect(r.outcome).toBe('rollback-failed');
    expect(r.exitCode).toBe(6);
    expect(r.message).toMatch(/human/i);
    // a new rotation is refused until resumed
    await expect(rotate(policy, 'anthropic', {}, { dryRun: false }, w.deps)).rejects.toMatchObject({ code: 'ROTATION_UNFINISHED', exitCode: 3 });
    w.sink.fail.delete('restore');
    const [again] = await resumeAll(policy, w.deps);
    expect(again!.outcome).toBe('rolled-back');
    expect(T.map((id) => w.sink.values.get(id)?.equals(OLD))).toEqual([true, true]);
  });

  test('a stage refused by the backend → nothing delivered, exit 4', async () => {
    const w = await world();
    w.backend.stage = async () => {
      throw Object.assign(new Error('denied'), { code: 'ACCESS_DENIED' });
    };
    const r = await rotate(policy, 'anthropic', {}, { dryRun: false }, w.deps);
    expect(r.outcome).toBe('rolled-back');
    expect(r.exitCode).toBe(4);
    expect(w.sink.values.get(T[0]!)!.equals(OLD)).toBe(true);
  });

  test('no pending value for a provider key → usage error naming `rekey put`', async () => {
    const w = fakeDeps();
    await expect(rotate(policy, 'anthropic', {}, { dryRun: false }, w.deps)).rejects.toMatchObject({ code: 'NO_PENDING_VALUE', exitCode: 2 });
  });
});

describe('crash after every journal step, then resume', () => {
  test('every case ends all-new-and-verified or all-old-and-verified, stages consistent', async () => {
    // how many journal appends a full rotation makes
    const probe = await world();
    let total = 0;
    probe.deps.afterAppend = () => void total++;
    await rotate(policy, 'anthropic', {}, { dryRun: false }, probe.deps);
    expect(total).toBeGreaterThan(15);

    const results: string[] = [];
    for (let k = 1; k <= total; k++) {
      const w = await world();
      let n = 0;
      const crashed = new Promise<void>((resolve) => {
        w.deps.afterAppend = () => {
          if (++n === k) {
            resolve();
            return new Promise<void>(() => {}); // the process is gone: nothing after this runs
          }
        };
      });
      void rotate(policy, 'anthropic', {}, { dryRun: false }, w.deps);
      await crashed;
      // a new process: same disk (journal, backend, sinks, snapshots), stale lock recovered
      w.locks.held.clear();
      const resumeDeps = { ...w.deps, afterAppend: undefined };
      await resumeAll(policy, resumeDeps);
      expect(await w.journal.unfinished()).toEqual([]);
      const cur = (await current(w))!;
      const all = T.map((id) => w.sink.values.get(id)!);
      const consistent = all.every((v) => v.equals(cur));
      expect(consistent, `crash after append ${k}: sinks and backend disagree`).toBe(true);
      // no pending version of the rotation is left; an operator's `put` value the rotation never staged stays
      const left = await w.backend.read(REF, 'pending', w.deps.signal);
      expect(left === null || left.rotationId!.startsWith('put-'), `crash after append ${k}: the rotation left a pending version`).toBe(true);
      results.push(cur.equals(NEW) ? 'new' : 'old');
    }
    // both endings happen: early crashes roll back, late ones roll forward
    expect(results[0]).toBe('old');
    expect(results.at(-1)).toBe('new');
  });
});

describe('resume works from the targets recorded when the rotation began', () => {
  test('the policy renamed the env file between the crash and resume: the file that was written is restored, and the report says so', async () => {
    const w = await world();
    let n = 0;
    const crashed = new Promise<void>((resolve) => {
      w.deps.afterAppend = (e) => {
        // crash once the first delivery is journaled as done
        if (e.type === 'ok' && e.phase === 'deliver' && ++n === 1) {
          resolve();
          return new Promise<void>(() => {});
        }
      };
    });
    void rotate(policy, 'anthropic', {}, { dryRun: false }, w.deps);
    await crashed;
    expect(w.sink.values.get(T[0]!)!.equals(NEW)).toBe(true);
    w.locks.held.clear();
    const edited = parsePolicy(policyText.replace('/srv/{agent}.env', '/srv/renamed-{agent}.env'));
    const [r] = await resumeAll(edited, { ...w.deps, afterAppend: undefined });
    expect(r!.outcome).toBe('rolled-back');
    expect(r!.message).toMatch(/the policy changed since this rotation began, so it was finished on the targets it touched/);
    // the memory sink is keyed by target id; the paths it was told to restore are the recorded ones
    expect(w.sink.restoredPaths).toContain('/srv/main.env');
    expect(w.sink.restoredPaths.some((p) => p.includes('renamed'))).toBe(false);
    expect(T.map((id) => w.sink.values.get(id)?.equals(OLD))).toEqual([true, true]);
  });
});

describe('refused runs are audited', () => {
  test('a rotation and a put refused under a held lock (exit 3) leave records with outcome refused and the code', async () => {
    const w = await world();
    const before = w.audit.records.length;
    w.locks.held.add('anthropic');
    await expect(rotate(policy, 'anthropic', {}, { dryRun: false }, w.deps)).rejects.toMatchObject({ exitCode: 3 });
    expect(w.audit.records.length).toBe(before + 1);
    expect(w.audit.records.at(-1)).toMatchObject({ command: 'rotate', outcome: 'refused', secret: 'anthropic', exitCode: 3, failure: { code: 'LOCK_HELD' } });
    await expect(put(policy, 'anthropic', { env: 'prod' }, NEW, w.deps)).rejects.toMatchObject({ exitCode: 3 });
    expect(w.audit.records.at(-1)).toMatchObject({ command: 'put', outcome: 'refused', exitCode: 3 });
  });
});
