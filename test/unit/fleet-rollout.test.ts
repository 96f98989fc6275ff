/**
 * A fleet rollout in one process, on the in-memory fakes: three hosts, each with its own sink,
 * service, verifier, journal and host name, one shared backend (scope `shared`), and the
 * coordinator's poll running every host's agent once (as their timers would). The real-parts
 * version is test/integration/fleet.test.ts; this one pins the protocol quickly.
 */
import { describe, expect, test } from 'vitest';
import { parsePolicy } from '../../providers/registry.js';
import type { SecretBackend } from '../../src/core/ports.js';
import { SecretValue } from '../../src/core/secret-value.js';
import type { RekeyDeps } from '../../src/usecases/context.js';
import { abortRollout } from '../../src/usecases/fleet/abort.js';
import { runAgent, SEEN_EVERY_MS } from '../../src/usecases/fleet/agent.js';
import { rotateFleet } from '../../src/usecases/fleet/coordinator.js';
import { fleetStatus } from '../../src/usecases/fleet/status.js';
import { revoke } from '../../src/usecases/revoke.js';
import { rotate } from '../../src/usecases/rotate.js';
import { fakeClock, fakeDeps } from '../harness/memory-stores.js';
import { anthropicPolicy } from '../harness/light-policy.js';

const HOSTS = ['h1', 'h2', 'h3'];
const REF = 'openclaw/prod/anthropic';
const OLD = SecretValue.of('sk-ant-old-aaaaaaaaaaaaaaaaaaaaaaaaaaaa');
const NEW = SecretValue.of('sk-ant-new-bbbbbbbbbbbbbbbbbbbbbbbbbbbb');
const policy = parsePolicy(
  anthropicPolicy({
    services: '{ gw: { kind: systemd-user, unit: gw.service } }',
    secretKeys: '    probe: off\n',
    deliveries: HOSTS.map((h) => `      - { host: ${h}, agent: main, env: prod, sink: { kind: systemd-env-file, path: "/srv/${h}/gw.env" }, service: gw, verify: { kind: openclaw-models-status } }`).join('\n'),
  }),
);
const target = (i: number) => `anthropic/prod/main#${i}`;

async function fleetWorld(o: { refuseNew?: string[]; offline?: string[] } = {}) {
  const clock = fakeClock();
  const ops = fakeDeps();
  const memory = ops.backend;
  const backend: SecretBackend = { ...memory, capabilities: () => ({ ...memory.capabilities(), scope: 'shared' }) };
  const withHost = (d: RekeyDeps, hostname: string): RekeyDeps => Object.assign(d, { backend: () => backend, clock, planContext: { ...d.planContext, hostname } });
  const hosts = HOSTS.map((name, i) => {
    const w = fakeDeps();
    withHost(w.deps, name);
    w.sink.values.set(target(i), OLD);
    w.verifier.acceptValue(OLD);
    if (!o.refuseNew?.includes(name)) w.verifier.acceptValue(NEW);
    return { name, i, w };
  });
  await backend.stage(REF, OLD, 'seed', ops.deps.signal);
  await backend.promote(REF, 'seed', ops.deps.signal);
  await backend.stage(REF, NEW, 'put-1', ops.deps.signal);
  const agentPass = async () => {
    for (const h of hosts) if (!o.offline?.includes(h.name)) await runAgent(policy, { dryRun: false }, h.w.deps);
  };
  // the coordinator's wait between polls: every host's timer fires once
  withHost(ops.deps, 'ops').clock = {
    now: () => clock.now(),
    sleep: async (ms) => {
      await agentPass();
      clock.advance(ms);
    },
  };
  return { ops, backend, hosts, clock, agentPass };
}

const opts = { canary: 'h1', maxParallel: 2, waveTimeoutMs: 60_000, allowMissing: 0, pollMs: 1000, dryRun: false };

describe('fleet rollout on the fakes: coordinator and agents through one backend', () => {
  test('every host verified → promoted; every consumer holds NEW; status: all current', async () => {
    const w = await fleetWorld();
    const r = await rotateFleet(policy, 'anthropic', {}, opts, w.ops.deps);
    expect(r.outcome).toBe('promoted');
    expect(r.waves).toEqual([['h1'], ['h2', 'h3']]);
    expect(r.hosts.map((h) => h.state)).toEqual(['verified', 'verified', 'verified']);
    for (const h of w.hosts) expect(h.w.sink.values.get(target(h.i))?.equals(NEW)).toBe(true);
    expect((await w.backend.read(REF, 'current', w.ops.deps.signal))!.value.equals(NEW)).toBe(true);
    expect(await w.backend.read(REF, 'pending', w.ops.deps.signal)).toBeNull();
    const st = (await fleetStatus(policy, 'anthropic', w.ops.deps))[0]!;
    expect(st.rollout?.state).toBe('promoted');
    expect(st.hosts.map((h) => [h.host, h.current, h.last?.what])).toEqual([
      ['h1', true, 'delivered'],
      ['h2', true, 'delivered'],
      ['h3', true, 'delivered'],
    ]);
    // the audit record names every host's acknowledgement (fingerprints only)
    const rec = w.ops.audit.records.at(-1)!;
    expect(rec.command).toBe('rotate-fleet');
    expect(Object.keys(rec.fleet!.hosts!)).toEqual(HOSTS);
    expect(JSON.stringify(rec)).not.toContain(NEW.reveal());
  });

  test('a host whose consumer refuses NEW → aborted: every host back on OLD and confirmed, pending discarded', async () => {
    const w = await fleetWorld({ refuseNew: ['h3'] });
    const r = await rotateFleet(policy, 'anthropic', {}, opts, w.ops.deps);
    expect(r.outcome).toBe('aborted');
    expect(r.exitCode).toBe(5);
    expect(r.message).toMatch(/host h3 failed in wave 1/);
    expect(Object.fromEntries(r.hosts.map((h) => [h.host, h.state]))).toEqual({ h1: 'restored', h2: 'restored', h3: 'failed' });
    for (const h of w.hosts) expect(h.w.sink.values.get(target(h.i))?.equals(OLD), h.name).toBe(true);
    expect((await w.backend.read(REF, 'current', w.ops.deps.signal))!.value.equals(OLD)).toBe(true);
    expect(await w.backend.read(REF, 'pending', w.ops.deps.signal)).toBeNull();
  });

  test('an offline host: the wave times out → aborted (exit 4); with allowMissing it promotes and the host converges later', async () => {
    const w = await fleetWorld({ offline: ['h3'] });
    const r = await rotateFleet(policy, 'anthropic', {}, opts, w.ops.deps);
    expect([r.outcome, r.exitCode]).toEqual(['aborted', 4]);
    expect(w.hosts[1]!.w.sink.values.get(target(1))?.equals(OLD)).toBe(true);
    await w.backend.stage(REF, NEW, 'put-2', w.ops.deps.signal);
    const r2 = await rotateFleet(policy, 'anthropic', {}, { ...opts, allowMissing: 1 }, w.ops.deps);
    expect(r2.outcome).toBe('promoted');
    expect(w.hosts[2]!.w.sink.values.get(target(2))?.equals(OLD)).toBe(true);
    const back = await runAgent(policy, { dryRun: false }, w.hosts[2]!.w.deps);
    expect(back.items[0]!.action).toBe('converged');
    expect(w.hosts[2]!.w.sink.values.get(target(2))?.equals(NEW)).toBe(true);
  });

  test('a second coordinator while a rollout is open is refused; a host no delivery names is refused', async () => {
    const w = await fleetWorld();
    let second: unknown = null;
    w.ops.deps.clock = { now: () => w.clock.now(), sleep: async (ms) => {
      second ??= await rotateFleet(policy, 'anthropic', {}, opts, w.ops.deps).catch((e: unknown) => e);
      await w.agentPass();
      w.clock.advance(ms);
    } };
    const r = await rotateFleet(policy, 'anthropic', {}, opts, w.ops.deps);
    expect(r.outcome).toBe('promoted');
    expect((second as { code?: string }).code).toBe('ROLLOUT_OPEN');
    const stranger = fakeDeps();
    stranger.deps.planContext = { ...stranger.deps.planContext, hostname: 'h9' };
    await expect(runAgent(policy, { dryRun: false }, stranger.deps)).rejects.toThrow(/no delivery in the policy names this host/);
  });

  test('--abort: a live coordinator sees the end record at its next poll and stops (exit 3); the hosts that delivered put OLD back', async () => {
    const w = await fleetWorld();
    const operator = fakeDeps();
    Object.assign(operator.deps, { backend: () => w.backend, clock: w.clock, planContext: { ...operator.deps.planContext, hostname: 'laptop' } });
    let aborted: Awaited<ReturnType<typeof abortRollout>> | null = null;
    w.ops.deps.clock = { now: () => w.clock.now(), sleep: async (ms) => {
      await w.agentPass();
      // once the canary delivered, the operator ends the rollout from another machine
      if (!aborted && w.hosts[0]!.w.sink.values.get(target(0))?.equals(NEW)) aborted = await abortRollout(policy, 'anthropic', {}, { dryRun: false }, operator.deps);
      w.clock.advance(ms);
    } };
    const r = await rotateFleet(policy, 'anthropic', {}, opts, w.ops.deps);
    expect(aborted!.outcome).toBe('aborted');
    expect(aborted!.reached).toEqual(['h1']);
    expect([r.outcome, r.exitCode]).toEqual(['aborted', 3]);
    expect(r.message).toMatch(/aborted by .* on laptop after wave 0/);
    expect(r.hosts.find((h) => h.host === 'h1')!.state).toBe('restored');
    for (const h of w.hosts) expect(h.w.sink.values.get(target(h.i))?.equals(OLD), h.name).toBe(true);
    expect(await w.backend.read(REF, 'pending', w.ops.deps.signal)).toBeNull();
    expect((await fleetStatus(policy, 'anthropic', w.ops.deps))[0]!.rollout?.state).toBe('aborted');
    expect(operator.audit.records.at(-1)!.fleet!.what).toBe('abort');
    // nothing open any more: a second abort changes nothing (exit 0)
    const again = await abortRollout(policy, 'anthropic', {}, { dryRun: false }, operator.deps);
    expect([again.outcome, again.exitCode]).toEqual(['nothing-open', 0]);
  });

  test('--abort: a dead coordinator\'s rollout is ended at once (no waiting for its deadline); the next rollout starts', async () => {
    const w = await fleetWorld();
    // the coordinator dies once the canary delivered: no more writes, its deadline far away
    w.ops.deps.clock = { now: () => w.clock.now(), sleep: async (ms) => {
      await w.agentPass();
      w.clock.advance(ms);
      if (w.hosts[0]!.w.sink.values.get(target(0))?.equals(NEW)) await new Promise(() => undefined);
    } };
    void rotateFleet(policy, 'anthropic', {}, opts, w.ops.deps);
    for (let i = 0; i < 50 && !w.hosts[0]!.w.sink.values.get(target(0))?.equals(NEW); i++) await new Promise((res) => setTimeout(res, 10));
    const second = fakeDeps();
    Object.assign(second.deps, { backend: () => w.backend, clock: { now: () => w.clock.now(), sleep: async (ms: number) => { await w.agentPass(); w.clock.advance(ms); } }, planContext: { ...second.deps.planContext, hostname: 'ops2' } });
    expect((await rotateFleet(policy, 'anthropic', {}, opts, second.deps).catch((e) => e)).code).toBe('ROLLOUT_OPEN');
    const dry = await abortRollout(policy, 'anthropic', {}, { dryRun: true }, second.deps);
    expect([dry.outcome, await w.backend.read(REF, 'pending', w.ops.deps.signal).then((p) => p?.value.equals(NEW))]).toEqual(['dry-run', true]);
    const a = await abortRollout(policy, 'anthropic', {}, { dryRun: false }, second.deps);
    expect(a.outcome).toBe('aborted');
    expect(await w.backend.read(REF, 'pending', w.ops.deps.signal)).toBeNull();
    await w.agentPass();
    expect(w.hosts[0]!.w.sink.values.get(target(0))?.equals(OLD)).toBe(true);
    expect((await fleetStatus(policy, 'anthropic', second.deps))[0]!.hosts.find((h) => h.host === 'h1')!.last?.what).toBe('restored');
    await w.backend.stage(REF, NEW, 'put-2', second.deps.signal);
    const r = await rotateFleet(policy, 'anthropic', {}, opts, second.deps);
    expect(r.outcome).toBe('promoted');
    for (const h of w.hosts) expect(h.w.sink.values.get(target(h.i))?.equals(NEW), h.name).toBe(true);
  });

  test('last contact: a pass with nothing to do is recorded at most hourly', async () => {
    const w = await fleetWorld();
    await rotateFleet(policy, 'anthropic', {}, opts, w.ops.deps);
    const contact = async () => (await fleetStatus(policy, 'anthropic', w.ops.deps))[0]!.hosts[0]!;
    const before = (await contact()).lastContact;
    w.clock.advance(SEEN_EVERY_MS);
    expect((await runAgent(policy, { dryRun: false }, w.hosts[0]!.w.deps)).items[0]!.action).toBe('in-sync');
    const seen = (await contact()).lastContact;
    expect(seen).not.toBe(before);
    expect(seen).toBe(w.clock.now().toISOString());
    expect((await contact()).last?.what).toBe('delivered'); // `seen` is contact, not an acknowledgement
    w.clock.advance(60_000);
    await runAgent(policy, { dryRun: false }, w.hosts[0]!.w.deps);
    expect((await contact()).lastContact).toBe(seen);
  });

  test('a plain rotation of a ref other hosts read is refused (exit 3, nothing changed); --this-host-only promotes after this host alone; revoke proceeds and names the others', async () => {
    const w = await fleetWorld();
    const h1 = w.hosts[0]!;
    const err = await rotate(policy, 'anthropic', {}, { dryRun: false }, h1.w.deps).catch((e) => e);
    expect(err.code).toBe('ROTATION_SPANS_HOSTS');
    expect(err.exitCode).toBe(3);
    expect(err.message).toMatch(/openclaw\/prod\/anthropic is also delivered on h2, h3/);
    expect(err.hint).toMatch(/--fleet/);
    // the dry run refuses it as the run would
    expect((await rotate(policy, 'anthropic', {}, { dryRun: true }, h1.w.deps).catch((e) => e)).code).toBe('ROTATION_SPANS_HOSTS');
    expect(h1.w.sink.values.get(target(0))?.equals(OLD)).toBe(true);
    expect((await w.backend.read(REF, 'current', w.ops.deps.signal))!.value.equals(OLD)).toBe(true);
    expect((await w.backend.read(REF, 'pending', w.ops.deps.signal))!.value.equals(NEW)).toBe(true);
    // a ref no other host reads (each host its own agent and ref) is rotated as before
    const own = parsePolicy(
      anthropicPolicy({
        services: '{ gw: { kind: systemd-user, unit: gw.service } }',
        secretKeys: '    probe: off\n',
        ref: 'openclaw/{env}/{agent}/anthropic',
        agents: ['main', 'other'],
        deliveries: [
          '      - { host: h1, agent: main, env: prod, sink: { kind: systemd-env-file, path: "/srv/h1/gw.env" }, service: gw, verify: { kind: openclaw-models-status } }',
          '      - { host: h2, agent: other, env: prod, sink: { kind: systemd-env-file, path: "/srv/h2/gw.env" }, service: gw, verify: { kind: openclaw-models-status } }',
        ].join('\n'),
      }),
    );
    await w.backend.stage('openclaw/prod/main/anthropic', NEW, 'put-own', w.ops.deps.signal);
    expect((await rotate(own, 'anthropic', {}, { dryRun: false }, h1.w.deps)).outcome).toBe('promoted');
    // --this-host-only: promoted after h1 alone; h2 and h3 keep OLD until their agent converges
    const r = await rotate(policy, 'anthropic', {}, { dryRun: false, thisHostOnly: true }, h1.w.deps);
    expect(r.outcome).toBe('promoted');
    expect((await w.backend.read(REF, 'current', w.ops.deps.signal))!.value.equals(NEW)).toBe(true);
    expect(w.hosts[1]!.w.sink.values.get(target(1))?.equals(OLD)).toBe(true);
    // an emergency revoke does not wait for the other hosts, and says who still holds the value
    await w.backend.stage(REF, SecretValue.of('sk-ant-re-issued-cccccccccccccccccccccccc'), 'put-2', w.ops.deps.signal);
    const rv = await revoke(policy, 'anthropic', {}, { retireFirst: false, dryRun: true, scrub: false }, h1.w.deps);
    expect(rv.manual.join('\n')).toMatch(/openclaw\/prod\/anthropic is also delivered on h2, h3: they hold the revoked value until `rekey agent`/);
  });
});
