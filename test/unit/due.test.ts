/**
 * `rekey rotate --due` on fakes with an injected clock: maxAge and the lead time decide what is
 * due, windows and jitter when it may rotate; a due provider key without a new value, a locked or
 * unfinished secret are reported, never waited on. The metrics textfile passes `promtool check
 * metrics` (Debian's prometheus package, installed by scripts/install-test-tools.sh).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parsePolicy } from '../../providers/registry.js';
import { SecretValue } from '../../src/core/secret-value.js';
import { dueStates, rotateDue, unitGroups } from '../../src/usecases/due.js';
import { renderMetrics } from '../../src/usecases/metrics.js';
import { put } from '../../src/usecases/put.js';
import { NEW, OLD, policyText, REF, T } from '../harness/fake-world.js';
import { fakeDeps } from '../harness/memory-stores.js';
import { REPO } from '../harness/openclaw.js';

const DAY = 86_400_000;
const withSchedule = (schedule: string, maxAge = '30d') => parsePolicy(policyText.replace('    backend: local\n', `    backend: local\n    maxAge: ${maxAge}\n`) + `schedule: ${schedule}\n`);

/** OLD current since the fake clock's start (2026-11-24T00:00Z, a Tuesday), delivered and verified */
async function seeded() {
  const w = fakeDeps();
  await w.backend.stage(REF, OLD, 'seed', w.deps.signal);
  await w.backend.promote(REF, 'seed', w.deps.signal);
  for (const id of T) w.sink.values.set(id, OLD);
  w.verifier.acceptValue(OLD);
  w.verifier.acceptValue(NEW);
  return w;
}

describe('rotate --due (injected clock)', () => {
  test('not due → nothing happens; inside the lead time with a pending value → rotated; exit 0', async () => {
    const policy = withSchedule('{ leadTime: 7d }');
    const w = await seeded();
    await put(policy, 'anthropic', { env: 'prod' }, NEW, w.deps);
    w.clock.advance(20 * DAY);
    let r = await rotateDue(policy, { dryRun: false }, w.deps);
    expect(r.items).toMatchObject([{ secret: 'anthropic', env: 'prod', state: 'ok', outcome: 'not-due' }]);
    expect(r.exitCode).toBe(0);
    w.clock.advance(4 * DAY); // 24 days old: due within the 7-day lead of 30 days
    r = await rotateDue(policy, { dryRun: false }, w.deps);
    expect(r.items).toMatchObject([{ state: 'expiring', outcome: 'rotated', dueAt: '2026-12-24T00:00:00.000Z' }]);
    expect(r.exitCode).toBe(0);
    expect((await w.backend.read(REF, 'current', w.deps.signal))!.value.equals(NEW)).toBe(true);
    expect((await dueStates(policy, w.deps))[0]!.state).toBe('ok'); // the new version is young
  });

  test('due, but outside the windows → deferred; inside, after this host\'s jitter → rotated', async () => {
    const policy = withSchedule('{ windows: ["Sun 02:00-04:00"], jitter: 30m }');
    const w = await seeded();
    await put(policy, 'anthropic', { env: 'prod' }, NEW, w.deps);
    w.clock.advance(40 * DAY); // 2027-01-03T00:00Z, a Sunday: expired, before the window
    let r = await rotateDue(policy, { dryRun: false }, w.deps);
    expect(r.items).toMatchObject([{ state: 'expired', outcome: 'deferred', detail: expect.stringMatching(/outside the rotation windows/) }]);
    expect(r.exitCode).toBe(0);
    w.clock.advance(2 * 3_600_000 + 31 * 60_000); // 02:31: past any jitter of 30 min
    r = await rotateDue(policy, { dryRun: false }, w.deps);
    expect(r.items).toMatchObject([{ outcome: 'rotated' }]);
  });

  test('a due provider key without a new value: "needs-new-key", exit 3, nothing changed', async () => {
    const policy = withSchedule('{}');
    const w = await seeded();
    w.clock.advance(31 * DAY);
    const r = await rotateDue(policy, { dryRun: false }, w.deps);
    expect(r.items).toMatchObject([{ state: 'expired', outcome: 'needs-new-key', detail: expect.stringMatching(/no new value/) }]);
    expect(r.exitCode).toBe(3);
    expect((await w.backend.read(REF, 'current', w.deps.signal))!.value.equals(OLD)).toBe(true);
  });

  test('a secret locked by a human is skipped ("skipped-locked"), not waited on', async () => {
    const policy = withSchedule('{}');
    const w = await seeded();
    await put(policy, 'anthropic', { env: 'prod' }, NEW, w.deps);
    w.clock.advance(31 * DAY);
    const held = await w.deps.locks.acquire('anthropic', { rotationId: 'human', command: 'rotate' });
    const r = await rotateDue(policy, { dryRun: false }, w.deps);
    expect(r.items).toMatchObject([{ outcome: 'skipped-locked' }]);
    expect(r.exitCode).toBe(3);
    await held.release();
    expect((await rotateDue(policy, { dryRun: false }, w.deps)).items).toMatchObject([{ outcome: 'rotated' }]);
  });

  test('the metrics textfile holds ages, due dates, states and outcomes, and passes promtool', async () => {
    const policy = withSchedule('{}');
    const w = await seeded();
    await put(policy, 'anthropic', { env: 'prod' }, NEW, w.deps);
    w.clock.advance(31 * DAY);
    const r = await rotateDue(policy, { dryRun: false }, w.deps);
    const text = renderMetrics({ now: w.clock.now(), states: await dueStates(policy, w.deps), records: w.audit.records, run: { command: 'rotate --due', exitCode: r.exitCode }, pendingRetirements: [{ secret: 'anthropic', dueAt: '2026-01-01T00:00:00Z' }] });
    expect(text).toMatch(/^rekey_secret_state\{secret="anthropic",env="prod",state="ok"\} 1$/m);
    expect(text).toMatch(/^rekey_rotations_total\{outcome="promoted"\} 1$/m);
    expect(text).toMatch(/^rekey_secret_age_seconds\{secret="anthropic",env="prod",ref="openclaw\/prod\/anthropic"\} 0$/m);
    expect(text).toMatch(/^rekey_pending_retirements\{secret="anthropic",overdue="true"\} 1$/m);
    expect(text).not.toContain(NEW.reveal());
    expect(text).not.toContain(SecretValue.of(NEW.reveal()).fingerprint);
    const promtool = join(REPO, 'test', 'tools', 'prometheus', 'usr', 'bin', 'promtool');
    expect(existsSync(promtool), 'run scripts/install-test-tools.sh').toBe(true);
    const check = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    const bad = spawnSync(promtool, ['check', 'metrics'], { input: text.replace('rekey_rotations_total{outcome="promoted"} 1', 'rekey_rotations_total{outcome="promoted" 1'), encoding: 'utf8' });
    expect(bad.status).not.toBe(0); // promtool does catch a broken file
  });

  test('--max-parallel: secrets that share a unit stay one after another; disjoint ones may run side by side', () => {
    const units: Record<string, string[]> = { a: ['gw1.service'], b: ['gw2.service'], c: ['gw1.service', 'gw3.service'], d: ['gw3.service'], e: [] };
    expect(unitGroups(['a', 'b', 'c', 'd', 'e'], (x) => units[x]!)).toEqual([['b'], ['a', 'c', 'd'], ['e']]);
  });
});
