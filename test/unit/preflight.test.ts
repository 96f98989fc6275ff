/**
 * Pre-flight on the in-memory fakes: the baseline reads each ref's versions once however many
 * consumers share it, and verifies every consumer (time to contain, issue 22).
 */
import { expect, test } from 'vitest';
import { parsePolicy } from '../../providers/registry.js';
import type { SecretBackend } from '../../src/core/ports.js';
import { SecretValue } from '../../src/core/secret-value.js';
import { planRotation } from '../../src/plan/planner.js';
import { preflight } from '../../src/usecases/preflight.js';
import { fakeDeps } from '../harness/memory-stores.js';
import { anthropicPolicy } from '../harness/light-policy.js';

test('the baseline reads a shared ref once and verifies each of its consumers; a consumer on another value is refused', async () => {
  const agents = ['a', 'b', 'c', 'd'];
  const policy = parsePolicy(
    anthropicPolicy({
      agents,
      services: '{ gw: { kind: systemd-user, unit: "gw-{agent}.service" } }',
      secretKeys: '    probe: off\n',
      deliveries: `      - { agent: [${agents.join(', ')}], env: prod, sink: { kind: systemd-env-file, path: "/srv/{agent}.env" }, service: gw, verify: { kind: openclaw-models-status } }`,
    }),
  );
  const w = fakeDeps();
  const OLD = SecretValue.of('sk-ant-old-aaaaaaaaaaaaaaaaaaaaaaaaaaaa');
  const memory = w.backend;
  await memory.stage('openclaw/prod/anthropic', OLD, 'seed', w.deps.signal);
  await memory.promote('openclaw/prod/anthropic', 'seed', w.deps.signal);
  const reads: string[] = [];
  const counted: SecretBackend = { ...memory, read: (ref, stage, signal) => (reads.push(`${ref} ${stage}`), memory.read(ref, stage, signal)) };
  w.deps.backend = () => counted;
  const plan = planRotation(policy, 'anthropic', {}, w.deps.planContext);
  expect(plan.targets.length).toBe(4);
  for (const t of plan.targets) w.sink.values.set(t.id, OLD);
  w.verifier.acceptValue(OLD);
  await preflight(plan, w.deps, 2);
  expect(reads.sort()).toEqual(['openclaw/prod/anthropic current', 'openclaw/prod/anthropic pending']);
  expect(w.verifier.calls.map((c) => c.target).sort()).toEqual(plan.targets.map((t) => t.id).sort());
  // a consumer that does not verify with the current value stops the run
  w.verifier.accept.clear();
  await expect(preflight(plan, w.deps, 2)).rejects.toMatchObject({ code: 'BASELINE_FAILED' });
});
