/**
 * CI leases on fakes (issue 19): `ci issue` mints a key per runner (or draws a standby key), never a
 * human's and never a value another consumer or lease holds, asks the provider first, stores it at
 * the runner's own ref and records it; `ci exec` reads it back; a newer lease ends the older one;
 * `ci reap` ends only expired leases and `ci revoke` a runner's: retired upstream, refused by the
 * provider, deleted from the backend, out of the book, audited (fingerprints only).
 */
import { describe, expect, test } from 'vitest';
import { createMemoryIssuer } from '../../providers/issuers/memory.js';
import { parsePolicy } from '../../providers/registry.js';
import { isRekeyError } from '../../src/core/errors.js';
import { SecretValue } from '../../src/core/secret-value.js';
import { allLeases } from '../../src/usecases/ci/lease-book.js';
import { issueLease } from '../../src/usecases/ci/issue.js';
import { reapLeases, revokeLeases } from '../../src/usecases/ci/end.js';
import { ciExecEnv } from '../../src/usecases/ci/exec.js';
import { fakeDeps } from '../harness/memory-stores.js';
import { fakeOpenclaw } from '../harness/fake-openclaw.js';
import { issueDeviceLease } from '../../src/usecases/ci/device.js';

const HUMAN = SecretValue.of('sk-ant-alice-own-key-hhhhhhhhhhhhhhhhhhhh');
const text = (issuer: string) => `version: 1
environments: { prod: {} }
agents: { main: {} }
backends: { local: { kind: local } }
services: { gw: { kind: systemd-user, unit: gw.service } }
issuers:
  upstream: { kind: ${issuer}, adminKey: { backend: local, ref: rekey/admin } }
ci: { maxTtl: 12h }
secrets:
  anthropic:
    layer: provider-key
    provider: anthropic
    envVar: ANTHROPIC_API_KEY
    backend: local
    ref: openclaw/{env}/anthropic
    issuer: upstream
    deliveries:
      - { agent: main, env: prod, sink: { kind: systemd-env-file, path: /srv/main.env }, service: gw, verify: { kind: none, reason: 'a unit test, no consumer' } }
  alice:
    layer: provider-key
    provider: anthropic
    envVar: ANTHROPIC_API_KEY
    audience: human
    backend: local
    ref: people/alice/anthropic
    deliveries:
      - { agent: main, env: prod, sink: { kind: keychain, service: alice }, service: gw, verify: { kind: none, reason: 'a unit test, no consumer' } }
`;
const policy = parsePolicy(text('anthropic-admin'));
const fails = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e);
const code = (e: unknown) => (isRekeyError(e) ? e.code : String(e));

async function world(can = { mint: true, retire: true, unretire: false }) {
  const w = fakeDeps();
  const issuer = createMemoryIssuer(can);
  w.deps.issuer = () => issuer;
  // the provider accepts what its issuer says is active
  const asked: string[] = [];
  w.deps.probe = async (_t, v) => {
    asked.push(v.fingerprint);
    return issuer.keys.get(v.reveal())?.status === 'active' ? { result: 'accepted', status: 200, url: 'http://provider/v1/models' } : { result: 'refused', status: 401, code: 'authentication_error', url: 'http://provider/v1/models' };
  };
  await w.backend.stage('people/alice/anthropic', HUMAN, 'seed', w.deps.signal);
  await w.backend.promote('people/alice/anthropic', 'seed', w.deps.signal);
  issuer.add(HUMAN);
  return { ...w, issuer, asked };
}

describe('ci leases', () => {
  test('issue: a minted key per runner at its own ref, recorded, audited without values; exec reads it back', async () => {
    const w = await world();
    const a = await issueLease(policy, { runner: 'gha-a', secret: 'anthropic', ttl: '1h', job: '101' }, w.deps);
    const b = await issueLease(policy, { runner: 'gha-b', secret: 'anthropic', ttl: '2h' }, w.deps);
    expect(a.lease).toMatchObject({ runner: 'gha-a', job: '101', ref: 'rekey/ci/gha-a/anthropic', source: 'minted', expiresAt: '2026-11-24T01:00:00.000Z' });
    expect(a.lease.fingerprint).not.toBe(b.lease.fingerprint);
    expect(a.lease.fingerprint).not.toBe(HUMAN.fingerprint);
    const cur = await w.backend.read('rekey/ci/gha-a/anthropic', 'current', w.deps.signal);
    expect(cur!.value.fingerprint).toBe(a.lease.fingerprint);
    expect(w.asked).toContain(a.lease.fingerprint); // the provider was asked before it was stored
    expect((await allLeases(policy, w.deps)).map((l) => l.runner)).toEqual(['gha-a', 'gha-b']);
    const env = await ciExecEnv(policy, 'gha-a', [], w.deps);
    expect(env.vars.ANTHROPIC_API_KEY!.fingerprint).toBe(a.lease.fingerprint);
    expect(env.sources.map((s) => s.secret)).toEqual(['anthropic']); // never the human's secret
    expect(w.audit.records.map((r) => [r.command, r.outcome, r.lease?.runner])).toEqual([['ci-issue', 'leased', 'gha-a'], ['ci-issue', 'leased', 'gha-b']]);
    const all = JSON.stringify(w.audit.records);
    for (const k of w.issuer.keys.keys()) expect(all).not.toContain(k);
    expect(code(await fails(ciExecEnv(policy, 'gha-c', ['anthropic'], w.deps)))).toBe('CI_LEASE_MISSING');
  });

  test('refusals: a human secret, a value a human holds (standby), no way to end it, a ttl over ci.maxTtl, a bad runner id, a key the provider refuses', async () => {
    const w = await world({ mint: false, retire: true, unretire: false });
    expect(code(await fails(issueLease(policy, { runner: 'gha-a', secret: 'alice', ttl: '1h' }, w.deps)))).toBe('HUMAN_CREDENTIAL_TO_CI');
    // an admin put the human's key in the pool by mistake: refused, never issued
    await w.backend.standby!.add('openclaw/prod/anthropic', '20261124T000000Z-01', HUMAN, w.deps.signal);
    const held = await fails(issueLease(policy, { runner: 'gha-a', secret: 'anthropic', ttl: '1h' }, w.deps));
    expect(code(held)).toBe('CI_VALUE_HELD');
    expect(String((held as Error).message)).toMatch(/a human's secret alice/);
    expect(await w.backend.read('rekey/ci/gha-a/anthropic', 'current', w.deps.signal)).toBeNull();
    await w.backend.standby!.remove('openclaw/prod/anthropic', '20261124T000000Z-01', w.deps.signal);
    // a fresh standby key: issued, and it leaves the pool
    const fresh = SecretValue.of('sk-ant-standby-for-ci-ssssssssssssssssss');
    w.issuer.add(fresh);
    await w.backend.standby!.add('openclaw/prod/anthropic', '20261124T000000Z-02', fresh, w.deps.signal);
    const r = await issueLease(policy, { runner: 'gha-a', secret: 'anthropic', ttl: '1h' }, w.deps);
    expect(r.lease).toMatchObject({ source: 'standby', fingerprint: fresh.fingerprint, upstreamId: expect.any(String) });
    expect(await w.backend.standby!.list('openclaw/prod/anthropic', w.deps.signal)).toEqual([]);
    // a standby key the provider refuses leaves the pool and nothing is issued
    const dead = SecretValue.of('sk-ant-standby-dead-dddddddddddddddddddd');
    w.issuer.add(dead, 'inactive');
    await w.backend.standby!.add('openclaw/prod/anthropic', '20261124T000000Z-03', dead, w.deps.signal);
    expect(code(await fails(issueLease(policy, { runner: 'gha-b', secret: 'anthropic', ttl: '1h' }, w.deps)))).toBe('PROVIDER_REFUSED_KEY');
    expect(await w.backend.standby!.list('openclaw/prod/anthropic', w.deps.signal)).toEqual([]);
    expect(await w.backend.read('rekey/ci/gha-b/anthropic', 'current', w.deps.signal)).toBeNull();

    // a provider that cannot be asked stops it under probe: required (the default); the minted key is taken back
    const down = await world();
    down.deps.probe = async () => ({ result: 'unreachable', why: 'ECONNREFUSED', url: 'http://provider/v1/models' });
    expect(code(await fails(issueLease(policy, { runner: 'gha-a', secret: 'anthropic', ttl: '1h' }, down.deps)))).toBe('PROVIDER_UNREACHABLE');
    expect([...down.issuer.keys.entries()].filter(([k]) => k.startsWith('sk-minted-')).map(([, v]) => v.status)).toEqual(['inactive']);
    expect(await allLeases(policy, down.deps)).toEqual([]);
    const noRetire = await world({ mint: true, retire: false, unretire: false });
    expect(code(await fails(issueLease(policy, { runner: 'gha-a', secret: 'anthropic', ttl: '1h' }, noRetire.deps)))).toBe('CI_LEASE_NOT_RETIRABLE');
    const m = await world();
    for (const ttl of ['13h', '1x', '0s', '1.5h', '']) expect(code(await fails(issueLease(policy, { runner: 'gha-a', secret: 'anthropic', ttl }, m.deps)))).toBe('BAD_TTL');
    expect(code(await fails(issueLease(policy, { runner: '../b', secret: 'anthropic', ttl: '1h' }, m.deps)))).toBe('BAD_RUNNER_ID');
    expect(code(await fails(issueLease(policy, { runner: 'gha-a', secret: 'nope', ttl: '1h' }, m.deps)))).toBe('UNKNOWN_SECRET');
    expect(await allLeases(policy, m.deps)).toEqual([]);
  });

  test('a newer lease ends the older; reap ends only expired leases; revoke a runner: retired, refused, deleted, out of the book, audited', async () => {
    const w = await world();
    const first = await issueLease(policy, { runner: 'gha-a', secret: 'anthropic', ttl: '1h' }, w.deps);
    const second = await issueLease(policy, { runner: 'gha-a', secret: 'anthropic', ttl: '3h' }, w.deps);
    expect(second.replaced).toEqual([expect.objectContaining({ id: first.lease.id, reason: 'replaced', ended: true, removed: false, probe: expect.stringMatching(/^refused/) })]);
    expect((await w.backend.read('rekey/ci/gha-a/anthropic', 'current', w.deps.signal))!.value.fingerprint).toBe(second.lease.fingerprint);
    const b = await issueLease(policy, { runner: 'gha-b', secret: 'anthropic', ttl: '1h' }, w.deps);
    const statusOf = (fp: string) => [...w.issuer.keys.entries()].find(([k]) => SecretValue.of(k).fingerprint === fp)![1].status;
    expect(statusOf(first.lease.fingerprint)).toBe('inactive');

    w.clock.advance(2 * 3600_000); // b expired, a's second lease not yet
    expect((await reapLeases(policy, w.deps, true)).expired.map((l) => l.id)).toEqual([b.lease.id]);
    expect(statusOf(b.lease.fingerprint)).toBe('active'); // a dry run ends nothing
    const reaped = await reapLeases(policy, w.deps);
    expect(reaped.ended).toEqual([expect.objectContaining({ id: b.lease.id, reason: 'expired', ended: true, removed: true, upstream: expect.stringMatching(/^inactive/) })]);
    expect(statusOf(b.lease.fingerprint)).toBe('inactive');
    expect(await w.backend.read('rekey/ci/gha-b/anthropic', 'current', w.deps.signal)).toBeNull();
    expect((await allLeases(policy, w.deps)).map((l) => l.id)).toEqual([second.lease.id]);

    const revoked = await revokeLeases(policy, 'gha-a', w.deps);
    expect(revoked).toEqual([expect.objectContaining({ id: second.lease.id, reason: 'revoked', ended: true, removed: true })]);
    expect(statusOf(second.lease.fingerprint)).toBe('inactive');
    expect(await allLeases(policy, w.deps)).toEqual([]);
    expect(await revokeLeases(policy, 'gha-a', w.deps)).toEqual([]);
    const ends = w.audit.records.filter((r) => r.command === 'ci-end');
    expect(ends.map((r) => r.lease?.ended?.reason)).toEqual(['replaced', 'expired', 'revoked']);
    expect(ends.every((r) => r.exitCode === 0 && !r.failure)).toBe(true);
    // the human's key was never touched
    expect(statusOf(HUMAN.fingerprint)).toBe('active');
  });

  test('an issuer unreachable at the end: the lease is reported still valid (exit 6 in the audit) and kept for the next run, never silently dropped', async () => {
    const w = await world();
    const l = await issueLease(policy, { runner: 'gha-a', secret: 'anthropic', ttl: '1h' }, w.deps);
    w.issuer.down.add('retire');
    const [e] = await revokeLeases(policy, l.lease.id, w.deps);
    expect(e).toMatchObject({ ended: false, upstream: expect.stringMatching(/^retire failed/), probe: expect.stringMatching(/^accepted/) });
    expect(w.audit.records.at(-1)).toMatchObject({ command: 'ci-end', exitCode: 6, failure: { code: 'ISSUER_UNREACHABLE' } });
    // kept: value and record, so the next run retries
    expect((await allLeases(policy, w.deps)).map((x) => x.id)).toEqual([l.lease.id]);
    expect((await w.backend.read(l.lease.ref, 'current', w.deps.signal))!.value.fingerprint).toBe(l.lease.fingerprint);
    w.issuer.down.delete('retire');
    const [again] = await revokeLeases(policy, 'gha-a', w.deps);
    expect(again).toMatchObject({ ended: true, removed: true });
    expect(await allLeases(policy, w.deps)).toEqual([]);
  });

  test('a backend that fails while storing: the minted key is retired, no record and no value left (nothing untracked)', async () => {
    const w = await world();
    const promote = w.backend.promote.bind(w.backend);
    w.backend.promote = async (ref, id, sig, rec) => {
      if (ref.startsWith('rekey/ci/')) throw new Error('backend went away');
      return promote(ref, id, sig, rec);
    };
    expect(String(await fails(issueLease(policy, { runner: 'gha-a', secret: 'anthropic', ttl: '1h' }, w.deps)))).toMatch(/backend went away/);
    const minted = [...w.issuer.keys.entries()].filter(([k]) => k.startsWith('sk-minted-'));
    expect(minted.map(([, v]) => v.status)).toEqual(['inactive']);
    expect(await allLeases(policy, w.deps)).toEqual([]);
    expect(await w.backend.read('rekey/ci/gha-a/anthropic', 'pending', w.deps.signal)).toBeNull();
    expect(await w.backend.read('rekey/ci/gha-a/anthropic', 'current', w.deps.signal)).toBeNull();
    expect(w.audit.records.filter((r) => r.command === 'ci-issue')).toEqual([]);
  });

  test('revoke --forget drops the record of a key that cannot be ended (retired by hand), audited as forgotten', async () => {
    const w = await world();
    const l = await issueLease(policy, { runner: 'gha-a', secret: 'anthropic', ttl: '1h' }, w.deps);
    w.issuer.down.add('retire');
    expect((await revokeLeases(policy, 'gha-a', w.deps))[0]).toMatchObject({ ended: false, forgotten: false });
    expect(await allLeases(policy, w.deps)).toHaveLength(1);
    expect((await revokeLeases(policy, 'gha-a', w.deps, true))[0]).toMatchObject({ ended: false, forgotten: true });
    expect(await allLeases(policy, w.deps)).toEqual([]);
    expect(w.audit.records.at(-1)).toMatchObject({ command: 'ci-end', lease: { id: l.lease.id, ended: { reason: 'forgotten' } }, exitCode: 6 });
  });

  test("Gateway access: the runner's own paired device recorded as its lease (never an admin or pairing one, never twice); its end revokes each role and removes the pairing", async () => {
    const gwPolicy = parsePolicy(`version: 1
environments: { prod: {} }
agents: { main: {} }
backends: { local: { kind: local } }
services: { gateway: { kind: systemd-user, unit: openclaw-gateway.service } }
ci: {}
secrets:
  gateway:
    layer: gateway-token
    backend: local
    ref: openclaw/{env}/gateway-token
    deliveries:
      - { agent: main, env: prod, sink: { kind: systemd-env-file, path: /srv/gw.env }, service: gateway, verify: { kind: openclaw-gateway-probe, role: server, port: 18789 } }
  anthropic:
    layer: provider-key
    provider: anthropic
    envVar: ANTHROPIC_API_KEY
    backend: local
    ref: openclaw/{env}/anthropic
    deliveries:
      - { agent: main, env: prod, sink: { kind: systemd-env-file, path: /srv/gw.env }, service: gateway, verify: { kind: none, reason: 'a unit test, no consumer' } }
`);
    const w = fakeDeps();
    const paired = new Map<string, { roles: string[]; scopes: string[] }>([
      ['dev-runner-a', { roles: ['node'], scopes: [] }],
      ['dev-admin', { roles: ['operator'], scopes: ['operator.read', 'operator.admin'] }],
    ]);
    const calls: string[] = [];
    w.deps.openclaw = fakeOpenclaw({
      devices: async () => ({ paired: [...paired].map(([deviceId, d]) => ({ deviceId, ...d })), pending: 0 }),
      revokeDevice: async (_t, d, role) => void calls.push(`revoke ${d} ${role}`),
      removeDevice: async (_t, d) => void (calls.push(`remove ${d}`), paired.delete(d)),
    });
    const issue = (device: string, secret = 'gateway', runner = 'gha-a') => issueDeviceLease(gwPolicy, { runner, secret, device, ttl: '1h' }, w.deps);
    expect(code(await fails(issue('dev-nope')))).toBe('CI_DEVICE_NOT_PAIRED');
    expect(code(await fails(issue('dev-admin')))).toBe('CI_DEVICE_TOO_BROAD');
    expect(code(await fails(issue('dev-runner-a', 'anthropic')))).toBe('CI_DEVICE_NEEDS_GATEWAY');
    expect(code(await fails(issueLease(gwPolicy, { runner: 'gha-a', secret: 'gateway', ttl: '1h' }, w.deps)))).toBe('CI_GATEWAY_NEEDS_DEVICE');
    const l = await issue('dev-runner-a');
    expect(l).toMatchObject({ source: 'device', upstreamId: 'dev-runner-a', roles: ['node'], secret: 'gateway', runner: 'gha-a' });
    expect(code(await fails(issue('dev-runner-a', 'gateway', 'gha-b')))).toBe('CI_VALUE_HELD');
    expect(w.audit.records.at(-1)).toMatchObject({ command: 'ci-issue', layer: 'gateway-token', lease: { id: l.id, source: 'device' } });
    w.clock.advance(2 * 3600_000);
    const { ended } = await reapLeases(gwPolicy, w.deps);
    expect(ended).toEqual([expect.objectContaining({ id: l.id, ended: true, reason: 'expired', probe: expect.stringMatching(/^refused: no longer paired/) })]);
    expect(calls).toEqual(['revoke dev-runner-a node', 'remove dev-runner-a']);
    expect(await allLeases(gwPolicy, w.deps)).toEqual([]);
    expect(paired.has('dev-admin')).toBe(true);
  });
});
