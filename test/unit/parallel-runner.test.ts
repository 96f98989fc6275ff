/**
 * `--max-parallel N`: restarts (one per unit) and verifications run up to N side by side; delivery
 * stays one at a time; the journal stays one ordered record per step (every start has its ok or
 * fail); a verification failing inside a batch still rolls every consumer back.
 */
import { describe, expect, test } from 'vitest';
import { parsePolicy } from '../../providers/registry.js';
import { SecretValue } from '../../src/core/secret-value.js';
import { put } from '../../src/usecases/put.js';
import { rotate } from '../../src/usecases/rotate.js';
import { anthropicPolicy } from '../harness/light-policy.js';
import { fakeDeps } from '../harness/memory-stores.js';

const AGENTS = ['a1', 'a2', 'a3', 'a4', 'a5'];
const policy = parsePolicy(
  anthropicPolicy({
    agents: AGENTS,
    services: '{ gw: { kind: systemd-user, unit: "gw-{agent}.service" } }',
    deliveries: `      - { agent: [${AGENTS.join(', ')}], env: prod, sink: { kind: systemd-env-file, path: "/srv/{agent}.env" }, service: gw, verify: { kind: openclaw-models-status } }`,
  }),
);
const OLD = SecretValue.of('sk-ant-old-' + 'o'.repeat(30));
const NEW = SecretValue.of('sk-ant-new-' + 'n'.repeat(30));
const REF = 'openclaw/prod/anthropic';

async function world(refuse?: string) {
  const w = fakeDeps();
  w.deps.stepTimeoutMs = 5000;
  await w.backend.stage(REF, OLD, 'seed', w.deps.signal);
  await w.backend.promote(REF, 'seed', w.deps.signal);
  await put(policy, 'anthropic', { env: 'prod' }, NEW, w.deps);
  for (const a of AGENTS) w.sink.values.set(`anthropic/prod/${a}#0`, OLD);
  const inFlight = { now: 0, max: 0, byPhase: new Map<string, number>() };
  const track = async <T>(phase: string, fn: () => Promise<T>): Promise<T> => {
    inFlight.now++;
    inFlight.byPhase.set(phase, Math.max(inFlight.byPhase.get(phase) ?? 0, inFlight.now));
    await new Promise((r) => setTimeout(r, 15));
    try {
      return await fn();
    } finally {
      inFlight.now--;
    }
  };
  const verify = w.verifier.verify.bind(w.verifier);
  w.verifier.verify = (t, v, s, c) => track('verify', () => (refuse && t.agent === refuse && v?.equals(NEW) ? Promise.resolve({ ok: false as const, layer: 'provider-key' as const, code: 'mismatch' as const, reason: 'refused' }) : verify(t, v, s, c)));
  const restart = w.service.restart.bind(w.service);
  w.service.restart = (u, s, o) => track('restart', () => restart(u, s, o));
  const write = w.sink.write.bind(w.sink);
  w.sink.write = (t, v, s) => track('deliver', () => write(t, v, s));
  w.verifier.acceptValue(OLD);
  w.verifier.acceptValue(NEW);
  return { w, inFlight };
}

describe('restarts and verifications side by side', () => {
  test('max-parallel 3: at most 3 restarts and 3 verifications at once, deliveries one at a time; promoted; journal well-formed', async () => {
    const { w, inFlight } = await world();
    const r = await rotate(policy, 'anthropic', {}, { dryRun: false, maxParallel: 3 }, w.deps);
    expect(r.outcome, r.message).toBe('promoted');
    expect(inFlight.byPhase.get('restart')).toBe(3);
    expect(inFlight.byPhase.get('verify')).toBe(3);
    expect(inFlight.byPhase.get('deliver')).toBe(1);
    const events = await w.journal.read(r.rotationId!);
    for (const e of events.filter((x) => x.type === 'start')) {
      const closed = events.filter((x) => (x.type === 'ok' || x.type === 'fail') && x.phase === (e as { phase: string }).phase && x.item === (e as { item: string }).item);
      expect(closed).toHaveLength(1);
    }
    expect(events.filter((e) => e.type === 'ok' && e.phase === 'verify')).toHaveLength(AGENTS.length);
    expect(events.filter((e) => e.type === 'ok' && e.phase === 'restart')).toHaveLength(AGENTS.length);
  });

  test('max-parallel 1 (the default): one at a time', async () => {
    const { w, inFlight } = await world();
    const r = await rotate(policy, 'anthropic', {}, { dryRun: false }, w.deps);
    expect(r.outcome).toBe('promoted');
    expect(Math.max(...inFlight.byPhase.values())).toBe(1);
  });

  test('one consumer refusing inside a batch: every consumer rolled back to the old value, which verifies', async () => {
    const { w } = await world('a2');
    const r = await rotate(policy, 'anthropic', {}, { dryRun: false, maxParallel: 4 }, w.deps);
    expect(r.outcome).toBe('rolled-back');
    expect(r.exitCode).toBe(5);
    expect(AGENTS.map((a) => w.sink.values.get(`anthropic/prod/${a}#0`)?.equals(OLD))).toEqual(AGENTS.map(() => true));
    expect((await w.backend.read(REF, 'current', w.deps.signal))!.value.equals(OLD)).toBe(true);
  });
});
