/**
 * Commands other than rotate that write (adopt, device-token rotation) journal their steps: a kill
 * part-way leaves an unfinished journal that blocks the secret and that `resume` finishes.
 * (adopt's kill + resume runs against the real Gateway in secretref-rotation.test.ts.)
 */
import { describe, expect, test } from 'vitest';
import { tokenRole } from '../../src/plan/planner.js';
import { parsePolicy } from '../../providers/registry.js';
import { rotateDeviceToken } from '../../src/usecases/devices.js';
import { resumeAll } from '../../src/usecases/resume.js';
import { planRotation } from '../../src/plan/planner.js';
import { fakeDeps } from '../harness/memory-stores.js';
import { fakeOpenclaw } from '../harness/fake-openclaw.js';

const policy = parsePolicy(`
version: 1
environments: { prod: {} }
agents: { main: {} }
backends: { local: { kind: local } }
services: { gateway: { kind: systemd-user, unit: openclaw-gateway.service } }
secrets:
  gateway:
    layer: gateway-token
    backend: local
    ref: openclaw/{env}/gateway-token
    deliveries:
      - agent: main
        env: prod
        sink: { kind: systemd-env-file, path: "/srv/gw.env" }
        service: gateway
        verify: { kind: openclaw-gateway-probe, role: server, port: 18789 }
`);

/** a process that dies after its n-th journal record: nothing it would write afterwards lands */
function dyingAfter(w: ReturnType<typeof fakeDeps>, n: number) {
  let count = 0;
  const append = w.journal.append.bind(w.journal);
  w.deps.journal = {
    ...w.journal,
    append: async (e) => {
      if (count >= n) throw new Error('process killed');
      count++;
      await append(e);
    },
  };
  w.deps.audit = { ...w.audit, append: async () => (count >= n ? Promise.reject(new Error('process killed')) : undefined) };
}

describe('device-token rotation is journaled', () => {
  test('a clean run: begin, the rotate step, end done, one audit record', async () => {
    const w = fakeDeps();
    const calls: string[] = [];
    w.deps.openclaw = fakeOpenclaw({ rotateDevice: async (_t, device, role) => void calls.push(`${device}/${role}`) });
    const plan = planRotation(policy, 'gateway', {}, w.deps.planContext);
    const server = plan.targets.find((t) => tokenRole(t, w.deps.planContext.adapters) === 'server')!;
    await rotateDeviceToken(plan, server, 'dev-1', 'operator', w.deps);
    expect(calls).toEqual(['dev-1/operator']);
    const [id] = [...w.journal.events.keys()];
    expect(w.journal.events.get(id!)!.map((e) => (e.type === 'step' ? `step ${e.status} ${e.step}` : e.type))).toEqual(['begin', 'step start rotate dev-1 (operator)', 'step ok rotate dev-1 (operator)', 'end']);
    expect(await w.journal.unfinished()).toEqual([]);
    expect(w.audit.records.at(-1)).toMatchObject({ command: 'device-rotate', outcome: 'device-rotated' });
  });

  test('killed after the upstream rotation, before its end: unfinished, blocks the secret; resume rotates again and ends it', async () => {
    const w = fakeDeps();
    const calls: string[] = [];
    w.deps.openclaw = fakeOpenclaw({ rotateDevice: async (_t, device, role) => void calls.push(`${device}/${role}`) });
    const plan = planRotation(policy, 'gateway', {}, w.deps.planContext);
    const server = plan.targets.find((t) => tokenRole(t, w.deps.planContext.adapters) === 'server')!;
    const real = { journal: w.deps.journal, audit: w.deps.audit };
    dyingAfter(w, 3);
    await expect(rotateDeviceToken(plan, server, 'dev-1', 'operator', w.deps)).rejects.toThrow(/killed/);
    w.deps.journal = real.journal;
    w.deps.audit = real.audit;
    await w.locks.sweepStale();
    w.locks.held.clear();
    const open = await w.journal.unfinished();
    expect(open).toEqual([{ rotationId: expect.stringMatching(/^device-/), secret: 'gateway' }]);
    const reports = await resumeAll(policy, w.deps);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ outcome: 'done', exitCode: 0 });
    expect(reports[0]!.message).toMatch(/the operator token of device dev-1 was rotated again/);
    expect(calls).toEqual(['dev-1/operator', 'dev-1/operator']);
    expect(await w.journal.unfinished()).toEqual([]);
    expect(w.audit.records.at(-1)).toMatchObject({ command: 'resume', outcome: 'device-rotated', rotationId: open[0]!.rotationId });
  });
});
