/**
 * The deployment the in-process (fakes) rotation tests start from: one secret delivered to two
 * agents behind one unit, OLD current and delivered, NEW put as pending.
 */
import { SecretValue } from '../../src/core/secret-value.js';
import { parsePolicy } from '../../providers/registry.js';
import { put } from '../../src/usecases/put.js';
import { fakeDeps } from './memory-stores.js';
import { anthropicPolicy } from './light-policy.js';

// the fake deps ignore kinds, so the policy names real ones
export const policyText = anthropicPolicy({
  agents: ['main', 'ops'],
  services: '{ gw: { kind: systemd-user, unit: gw.service } }',
  deliveries: '      - { agent: [main, ops], env: prod, sink: { kind: systemd-env-file, path: "/srv/{agent}.env" }, service: gw, verify: { kind: openclaw-models-status } }',
});
export const policy = parsePolicy(policyText);
export const OLD = SecretValue.of('sk-ant-old-aaaaaaaaaaaaaaaaaaaaaaaaaaaa');
export const NEW = SecretValue.of('sk-ant-new-bbbbbbbbbbbbbbbbbbbbbbbbbbbb');
export const REF = 'openclaw/prod/anthropic';
export const T = ['anthropic/prod/main#0', 'anthropic/prod/ops#0'];

/** OLD current and delivered, NEW put as pending; `newVerifies: false` makes the consumer refuse NEW */
export async function world(newVerifies = true) {
  const w = fakeDeps();
  await w.backend.stage(REF, OLD, 'seed', w.deps.signal);
  await w.backend.promote(REF, 'seed', w.deps.signal);
  for (const id of T) w.sink.values.set(id, OLD);
  w.verifier.acceptValue(OLD);
  if (newVerifies) w.verifier.acceptValue(NEW);
  await put(policy, 'anthropic', { env: 'prod' }, NEW, w.deps);
  return w;
}
