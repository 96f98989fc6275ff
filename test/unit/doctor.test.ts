/**
 * `rekey doctor` on fakes: the finding catalog and its docs, the exit codes, and the checks the
 * real-parts test (test/integration/doctor.test.ts) cannot plant cheaply: a plain-text key in
 * openclaw.json, a profile in cooldown, age vs maxAge, a retirement past due, a check that throws.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parsePolicy } from '../../providers/registry.js';
import type { GatewayAnswer, SourceObservation, UnusableProfile } from '../../src/core/openclaw.js';
import type { HostInfo } from '../../src/core/ports.js';
import { SecretValue } from '../../src/core/secret-value.js';
import { UnsafeError } from '../../src/core/errors.js';
import { doctor, doctorExitCode, FINDING_CODES, type Finding } from '../../src/usecases/doctor/index.js';
import { finding } from '../../src/usecases/doctor/codes.js';
import { renderDoctor } from '../../src/cli/commands/doctor.js';
import { fakeOpenclaw } from '../harness/fake-openclaw.js';
import { anthropicPolicy } from '../harness/light-policy.js';
import { fakeDeps } from '../harness/memory-stores.js';
import { leaseBook, type LeaseRecord } from '../../src/usecases/ci/lease-book.js';

const policy = parsePolicy(
  anthropicPolicy({
    services: '{ gw: { kind: systemd-user, unit: gw.service } }',
    secretKeys: '    maxAge: 30d\n',
    deliveries: '      - { agent: main, env: prod, sink: { kind: systemd-env-file, path: "/srv/main.env" }, service: gw, verify: { kind: openclaw-models-status } }',
  }),
);
const KEY = SecretValue.of('sk-ant-doc-aaaaaaaaaaaaaaaaaaaaaaaaaaaa');
const REF = 'openclaw/prod/anthropic';
const T = 'anthropic/prod/main#0';

const cleanSources = (): SourceObservation => ({
  profiles: [{ agent: 'main', ids: [] }],
  processEnv: [{ where: 'gw.service Environment=', sets: false }, { where: '/srv/main.env', sets: true }],
  injectedByExec: false,
  dotEnv: { path: '/home/test/.openclaw/.env', sets: false },
  envVars: { path: '/home/test/.openclaw/openclaw.json', sets: false },
  configApiKey: { path: '/home/test/.openclaw/openclaw.json', kind: 'none' },
});

const host = (over: Partial<HostInfo> = {}): HostInfo => ({
  uid: 1000,
  stat: async () => ({ mode: 0o100600, uid: 1000, mtimeMs: 0, symlink: false }),
  processStartMs: async () => 0,
  which: async () => null,
  realpath: async (p) => p,
  ownerUid: () => 1000,
  ...over,
});

async function world(o: { sources?: SourceObservation; unusable?: UnusableProfile[]; host?: Partial<HostInfo>; gateway?: GatewayAnswer; versions?: Record<string, string> } = {}) {
  const w = fakeDeps();
  await w.backend.stage(REF, KEY, 'seed', w.deps.signal);
  await w.backend.promote(REF, 'seed', w.deps.signal);
  w.sink.values.set(T, KEY);
  w.verifier.acceptValue(KEY);
  const gatewayCalls: { command: string[]; port: number | undefined }[] = [];
  const openclaw = fakeOpenclaw({
    sources: async () => o.sources ?? cleanSources(),
    unusableProfiles: async () => o.unusable ?? [],
    gatewayStatus: async (inst, _env, port) => (gatewayCalls.push({ command: inst.command, port }), o.gateway ?? { state: 'ok' }),
    version: async (cmd) => o.versions?.[cmd.at(-1)!] ?? null,
  });
  if (o.gateway) w.service.commands.set('gw.service', ['/opt/node24/bin/node', '/opt/openclaw/openclaw.mjs', 'gateway', 'run', '--port', '18789']);
  const run = () => doctor(policy, { ...w.deps, host: host(o.host), openclaw }, { filter: {}, searchPath: '/usr/bin' });
  return { ...w, run, gatewayCalls };
}
const codes = (fs: Finding[]) => fs.map((f) => f.code).sort();

describe('rekey doctor (fakes)', () => {
  test('docs/doctor.md lists every finding code with its meaning, and no code that does not exist', () => {
    const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'doctor.md'), 'utf8');
    const documented = new Set([...doc.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]!));
    expect([...documented].sort()).toEqual(Object.keys(FINDING_CODES).sort());
  });

  test('exit codes: a failure 1, warnings only 2, notes only 0', () => {
    const f = (code: keyof typeof FINDING_CODES) => finding(code, 'host', 'x', 'm', 'n');
    expect(doctorExitCode([f('OPENCLAW_NOT_ON_PATH')])).toBe(0);
    expect(doctorExitCode([f('OPENCLAW_NOT_ON_PATH'), f('SINK_FILE_MODE')])).toBe(2);
    expect(doctorExitCode([f('SINK_FILE_MODE'), f('SINK_BEHIND_BACKEND')])).toBe(1);
    expect(doctorExitCode([])).toBe(0);
  });

  test('a healthy fake world: nothing found, exit 0', async () => {
    const w = await world();
    const r = await w.run();
    expect(r.findings).toEqual([]);
    expect(r).toMatchObject({ ok: true, exitCode: 0, checked: { targets: [T], units: ['gw.service'] } });
    expect(renderDoctor(r)).toBe('healthy: 0 failure(s), 0 warning(s), 0 note(s) over 1 target(s) and 1 unit(s)\n');
  });

  test('a plain-text apiKey in openclaw.json → KEY_IN_CONFIG (a SecretRef there is not); a profile in cooldown → PROFILE_COOLDOWN', async () => {
    const plain = { ...cleanSources(), configApiKey: { path: '/home/test/.openclaw/openclaw.json', kind: 'string' as const } };
    const w = await world({ sources: plain, unusable: [{ profileId: 'anthropic:old', kind: 'cooldown', reason: 'auth', remainingMs: 290_000 }] });
    const r = await w.run();
    expect(codes(r.findings)).toEqual(['KEY_IN_CONFIG', 'PROFILE_COOLDOWN']);
    expect(r.exitCode).toBe(2);
    expect(renderDoctor(r)).toMatch(/^WARN KEY_IN_CONFIG \[provider-key\] \/home\/test\/\.openclaw\/openclaw\.json\n {5}anthropic\/prod\/main#0: .*plain text.*\n {5}evidence: target=anthropic\/prod\/main#0, winner=.*\n {5}next: rekey openclaw adopt anthropic --env prod --agent main/);
    expect(renderDoctor(r)).toMatch(/^warnings: 0 failure\(s\), 2 warning\(s\), 0 note\(s\)/m);
    expect(r.findings.find((f) => f.code === 'PROFILE_COOLDOWN')!.next).toBe('openclaw models auth logout anthropic:old --yes --agent main  # re-pasting under the same id does not clear a cooldown');
    const ref = { ...cleanSources(), configApiKey: { path: '/home/test/.openclaw/openclaw.json', kind: 'secretref' as const, ref: '{"source":"file"}' } };
    expect((await (await world({ sources: ref })).run()).findings).toEqual([]);
  });

  test('age: past maxAge → ROTATION_OVERDUE (exit 1); within the lead time → ROTATION_DUE_SOON (exit 2)', async () => {
    const w = await world();
    w.clock.advance(25 * 86_400_000);
    let r = await w.run();
    expect(codes(r.findings)).toEqual(['ROTATION_DUE_SOON']);
    w.clock.advance(10 * 86_400_000);
    r = await w.run();
    expect(codes(r.findings)).toEqual(['ROTATION_OVERDUE']);
    expect(r.findings[0]!.next).toBe('rekey rotate anthropic --env prod');
  });

  test('a retirement past due → RETIREMENT_PENDING; one not yet due is not reported', async () => {
    const w = await world();
    await w.retirements.add({ id: 'r1', secret: 'anthropic', issuer: 'anthropic-admin', ref: REF, fingerprint: 'sk-a…zzzz#00000000', rotationId: 'x', dueAt: '2026-11-01T00:00:00.000Z' });
    await w.retirements.add({ id: 'r2', secret: 'anthropic', issuer: 'anthropic-admin', ref: REF, fingerprint: 'sk-a…yyyy#00000000', rotationId: 'y', dueAt: '2027-01-01T00:00:00.000Z' });
    const r = await w.run();
    expect(r.findings.map((f) => [f.code, f.evidence.fingerprint])).toEqual([['RETIREMENT_PENDING', 'sk-a…zzzz#00000000']]);
  });

  test('with a ci section: a CI lease past its expiry and not reaped → CI_LEASE_EXPIRED (next: ci reap); a live one is not reported', async () => {
    const w = await world();
    const withCi = parsePolicy(anthropicPolicy({
      services: '{ gw: { kind: systemd-user, unit: gw.service } }',
      secretKeys: '    maxAge: 30d\n',
      deliveries: '      - { agent: main, env: prod, sink: { kind: systemd-env-file, path: "/srv/main.env" }, service: gw, verify: { kind: openclaw-models-status } }',
    }) + 'ci: { maxTtl: 2h }\n');
    const lease = (id: string, expiresAt: string): LeaseRecord => ({ id, runner: 'gha-a', job: null, secret: 'anthropic', env: null, backend: 'local', ref: 'rekey/ci/gha-a/anthropic', fingerprint: 'sk-m…xxxx#11111111', issuedAt: '2026-11-23T23:00:00.000Z', expiresAt, source: 'minted', issuer: 'upstream', upstreamId: 'key_9', providerExpiresAt: null });
    await leaseBook(withCi, 'local', w.deps).add(lease('lease-1', '2026-11-23T23:30:00.000Z'));
    await leaseBook(withCi, 'local', w.deps).add(lease('lease-2', '2026-11-24T01:00:00.000Z'));
    const openclaw = fakeOpenclaw({ sources: async () => cleanSources(), unusableProfiles: async () => [] });
    const r = await doctor(withCi, { ...w.deps, host: host(), openclaw }, { filter: {}, searchPath: '/usr/bin' });
    expect(r.findings.map((f) => [f.code, f.evidence.lease, f.next])).toEqual([['CI_LEASE_EXPIRED', 'lease-1', 'rekey ci reap']]);
    expect(r.exitCode).toBe(1);
    // without a ci section the books are not read
    expect((await w.run()).findings).toEqual([]);
  });

  test('a check that throws is a CHECK_FAILED warning naming it; the other checks still run', async () => {
    const w = await world({ host: { stat: async () => { throw new Error('EIO on stat'); } } });
    w.verifier.accept.clear();
    const r = await w.run();
    expect(codes(r.findings)).toEqual(['CHECK_FAILED', 'PROVIDER_KEY_MISMATCH']);
    expect(r.findings.find((f) => f.code === 'CHECK_FAILED')!.message).toMatch(/^files anthropic\/prod\/main#0 could not be checked: EIO on stat/);
    expect(r.exitCode).toBe(1);
  });

  test('the sink holds another value than the backend → SINK_BEHIND_BACKEND with both fingerprints, no value', async () => {
    const w = await world();
    const other = SecretValue.of('sk-ant-hand-edited-bbbbbbbbbbbbbbbbbbbbbbbb');
    w.sink.values.set(T, other);
    const r = await w.run();
    const f = r.findings.find((x) => x.code === 'SINK_BEHIND_BACKEND')!;
    expect(f.evidence).toEqual({ target: T, sink: other.fingerprint, backend: KEY.fingerprint });
    expect(JSON.stringify(r)).not.toContain(other.reveal());
    expect(JSON.stringify(r)).not.toContain(KEY.reveal());
  });

  test('a Gateway unit (ExecStart runs openclaw … gateway) is asked with its own openclaw and port: refused → GATEWAY_REFUSES_OWN_TOKEN, no answer → GATEWAY_UNREACHABLE', async () => {
    let w = await world({ gateway: { state: 'refused', why: 'unauthorized: gateway token mismatch (AUTH_TOKEN_MISMATCH)' } });
    let r = await w.run();
    expect(w.gatewayCalls).toEqual([{ command: ['/opt/node24/bin/node', '/opt/openclaw/openclaw.mjs'], port: 18789 }]);
    expect(r.findings.map((f) => [f.code, f.layer, f.subject])).toEqual([['GATEWAY_REFUSES_OWN_TOKEN', 'gateway-token', 'gw.service'], ['OPENCLAW_NOT_ON_PATH', 'host', 'gw.service']]);
    expect(r.exitCode).toBe(1);
    w = await world({ gateway: { state: 'unreachable', why: 'connect ECONNREFUSED 127.0.0.1:18789' } });
    r = await w.run();
    expect(r.findings.map((f) => f.code)).toEqual(['GATEWAY_UNREACHABLE', 'OPENCLAW_NOT_ON_PATH']);
    expect(r.findings[0]!.evidence).toMatchObject({ unit: 'gw.service', port: 18789, processRunning: false });
  });

  test('binary split: the PATH openclaw is another file with another version → OPENCLAW_BINARY_SPLIT, and the verifier (a bare `openclaw`, found on PATH) runs it too → VERIFIER_BINARY_SPLIT; the same version → nothing', async () => {
    const which = async () => '/usr/local/bin/openclaw';
    let w = await world({ gateway: { state: 'ok' }, host: { which }, versions: { '/opt/openclaw/openclaw.mjs': 'OpenClaw 2026.9.6 (eb377ac)', '/usr/local/bin/openclaw': 'OpenClaw 2026.5.1 (1111111)', openclaw: 'OpenClaw 2026.5.1 (1111111)' } });
    let r = await w.run();
    expect(r.findings.map((f) => f.code)).toEqual(['OPENCLAW_BINARY_SPLIT', 'VERIFIER_BINARY_SPLIT']);
    expect(r.findings[1]!.evidence).toMatchObject({ verifierOpenclaw: '/usr/local/bin/openclaw', verifierVersion: 'OpenClaw 2026.5.1 (1111111)' });
    expect(r.findings[0]!.evidence).toMatchObject({ unitVersion: 'OpenClaw 2026.9.6 (eb377ac)', pathVersion: 'OpenClaw 2026.5.1 (1111111)', unitNode: '/opt/node24/bin/node' });
    w = await world({ gateway: { state: 'ok' }, host: { which }, versions: { '/opt/openclaw/openclaw.mjs': 'OpenClaw 2026.9.6 (eb377ac)', '/usr/local/bin/openclaw': 'OpenClaw 2026.9.6 (eb377ac)', openclaw: 'OpenClaw 2026.9.6 (eb377ac)' } });
    r = await w.run();
    expect(r.findings).toEqual([]);
  });

  test('no user manager → SERVICE_MANAGER_UNREACHABLE (not a unit wiring fault); nothing current yet → NO_CURRENT_VERSION and no complaint about the files a first delivery creates', async () => {
    const w = await world({ host: { stat: async () => null } });
    w.service.preflight = async () => {
      throw new UnsafeError('SYSTEMD_UNREACHABLE', 'systemctl --user show gw.service failed: Failed to connect to bus: No medium found', { details: { unit: 'gw.service', managerUnreachable: true } });
    };
    let r = await w.run();
    expect(codes(r.findings)).toEqual(['SERVICE_MANAGER_UNREACHABLE', 'SINK_FILE_MISSING']);
    const fresh = fakeDeps();
    const openclaw = fakeOpenclaw({ sources: async () => cleanSources(), unusableProfiles: async () => [] });
    r = await doctor(policy, { ...fresh.deps, host: host({ stat: async () => null }), openclaw }, { filter: {}, searchPath: '/usr/bin' });
    expect(codes(r.findings)).toEqual(['NO_CURRENT_VERSION']);
  });
});
