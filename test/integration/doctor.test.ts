/**
 * `rekey doctor` against the real Gateway under the real user manager: a healthy setup gives no
 * failure and no warning, then each check's fault is planted for real (and put back), and doctor
 * must name it with its stable code, its layer, fingerprints only, and the next command.
 */
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startGatewayFixture, UNIT, type GatewayFixture } from '../harness/gateway-fixture.js';
import { OPENCLAW, OPENCLAW_MJS, runOpenclawAsync } from '../harness/openclaw.js';
import { rekeyAsync } from '../harness/rekey-cli.js';
import { fingerprint } from '../../src/core/secret-value.js';

const KEY = 'sk-ant-doctor-0000000000000000000000000000000000dddd';
const CLIENT_UNIT = 'openclaw-client.service';

interface Report {
  ok: boolean;
  exitCode: number;
  findings: { code: string; severity: string; layer: string; subject: string; message: string; evidence: Record<string, unknown>; next: string }[];
  checked: { targets: string[]; units: string[] };
}

describe('rekey doctor: real faults, real parts', () => {
  let f: GatewayFixture;
  let clientEnv = '';
  let svcDir = '';
  let bin = '';
  let token = '';
  const cli = (args: string[], input?: string, env: Record<string, string> = {}) => rekeyAsync([...args, '--policy', f.policyFile], { ...f.env, ...env }, input);
  const doctor = async (expectCode?: number): Promise<Report & { stderr: string; raw: string }> => {
    const r = await cli(['doctor', '--json']);
    const rep = JSON.parse(r.stdout) as Report;
    if (expectCode !== undefined) expect(r.code, r.stdout + r.stderr).toBe(expectCode);
    expect(rep.exitCode).toBe(r.code);
    // fingerprints only, whatever was found
    for (const v of [KEY, token]) expect(r.stdout + r.stderr).not.toContain(v);
    return { ...rep, stderr: r.stderr, raw: r.stdout };
  };
  const codes = (r: Report) => r.findings.filter((x) => x.severity !== 'info').map((x) => x.code).sort();
  const clientUnit = (extra = '') => {
    f.um.writeUnit(CLIENT_UNIT, `[Service]\nEnvironmentFile=${clientEnv}\n${extra}\nExecStart=/bin/sleep infinity\n`);
    f.um.systemctl('daemon-reload');
    expect(f.um.systemctl('restart', CLIENT_UNIT).code).toBe(0);
  };
  const onPath = (target: string | null) => {
    rmSync(join(bin, 'openclaw'), { force: true });
    if (target === null) writeFileSync(join(bin, 'openclaw'), '#!/bin/sh\necho "OpenClaw 2026.1.2 (0000000)"\n', { mode: 0o755 });
    else symlinkSync(target, join(bin, 'openclaw'));
  };

  beforeAll(async () => {
    f = await startGatewayFixture({ allow: [KEY] });
    token = f.gatewayToken;
    clientEnv = join(f.root, 'client.env');
    svcDir = join(f.root, 'client-svc');
    bin = join(f.root, 'bin');
    mkdirSync(bin);
    mkdirSync(svcDir, { mode: 0o700 });
    writeFileSync(join(svcDir, 'openclaw.json'), JSON.stringify({ gateway: { mode: 'remote', remote: { url: `ws://127.0.0.1:${f.gatewayPort}` } } }), { mode: 0o600 });
    writeFileSync(clientEnv, `OPENCLAW_GATEWAY_TOKEN=${token}\n`, { mode: 0o600 });
    writeFileSync(f.envFile, `ANTHROPIC_API_KEY=${KEY}\n`, { mode: 0o600 });
    // the operator's PATH has the same openclaw the unit runs
    onPath(OPENCLAW_MJS);
    f.env.PATH = `${bin}:${f.env.PATH}`;
    const oc = JSON.stringify(OPENCLAW);
    writeFileSync(
      f.policyFile,
      `version: 1
environments: { prod: {} }
agents: { main: {} }
backends: { local: { kind: local } }
services:
  gateway: { kind: systemd-user, unit: ${UNIT}, settleMs: 1000, startTimeoutMs: 30000 }
  client: { kind: systemd-user, unit: ${CLIENT_UNIT}, settleMs: 300 }
secrets:
  anthropic:
    layer: provider-key
    provider: anthropic
    envVar: ANTHROPIC_API_KEY
    backend: local
    ref: openclaw/{env}/anthropic
    maxAge: 90d
    deliveries:
      - agent: main
        env: prod
        sink: { kind: systemd-env-file, path: ${f.envFile} }
        service: gateway
        verify: { kind: openclaw-models-status, command: ${oc}, timeoutMs: 240000 }
  gateway:
    layer: gateway-token
    backend: local
    ref: openclaw/{env}/gateway-token
    deliveries:
      - agent: main
        env: prod
        sink: { kind: systemd-env-file, path: "${clientEnv}" }
        service: client
        verify: { kind: openclaw-gateway-probe, role: client, command: ${oc}, stateDir: "${svcDir}" }
      - agent: main
        env: prod
        sink: { kind: openclaw-config-token, field: auth, command: ${oc}, timeoutMs: 240000 }
        service: null
        verify: { kind: openclaw-gateway-probe, role: server, port: ${f.gatewayPort}, command: ${oc} }
`,
    );
    await f.installGateway();
    clientUnit();
    await f.waitGatewayReady();
    // adopt what the consumers hold as the backends' current versions
    for (const [s, v] of [['anthropic', KEY], ['gateway', token]] as const) {
      expect((await cli(['put', s, '--env', 'prod', '--stdin'], v)).code).toBe(0);
      const r = await cli(['rotate', s]);
      expect(r.code, r.stderr + r.stdout).toBe(0);
    }
    // a rotation that writes nothing new leaves OpenClaw's config backups as they were: none hold an old value
  });
  afterAll(async () => {
    await f?.close();
  });

  test('healthy: no failure, no warning, exit 0; every target and unit looked at; progress on stderr', async () => {
    const r = await doctor(0);
    expect(codes(r)).toEqual([]);
    expect(r.checked.targets.sort()).toEqual(['anthropic/prod/main#0', 'gateway/prod/main#0', 'gateway/prod/main#1']);
    expect(r.checked.units.sort()).toEqual([CLIENT_UNIT, UNIT].sort());
    for (const c of ['layer', 'wiring', 'binary', 'sources', 'token', 'residue', 'rotation']) expect(r.stderr).toMatch(new RegExp(`✓ ${c}\\s+0 findings`));
  });

  test('layer: a key the provider refuses → PROVIDER_KEY_REJECTED (provider layer), exit 1, next: revoke', async () => {
    f.fake.deny(KEY);
    try {
      const r = await doctor(1);
      expect(codes(r)).toEqual(['PROVIDER_KEY_REJECTED']);
      const x = r.findings[0]!;
      expect(x).toMatchObject({ layer: 'provider-key', subject: 'anthropic/prod/main#0', severity: 'fail' });
      expect(x.message).toMatch(/anthropic refuses sk-a…dddd#[0-9a-f]+ \(HTTP 401/);
      expect(x.next).toMatch(/^rekey revoke anthropic --env prod/);
    } finally {
      f.fake.allow(KEY);
    }
  });

  test('wiring: the env file rewritten without a restart → SINK_BEHIND_BACKEND + SERVICE_NOT_RESTARTED; a wide mode → SINK_FILE_MODE', async () => {
    const before = readFileSync(f.envFile);
    const OTHER = 'sk-ant-edited-111111111111111111111111111111111eeee';
    try {
      writeFileSync(f.envFile, `ANTHROPIC_API_KEY=${OTHER}\n`, { mode: 0o600 });
      chmodSync(f.envFile, 0o644);
      const r = await doctor(1);
      // the verifier judges the running process, which still holds the current key: no layer failure
      expect(codes(r)).toEqual(['SERVICE_NOT_RESTARTED', 'SINK_BEHIND_BACKEND', 'SINK_FILE_MODE']);
      const nr = r.findings.find((x) => x.code === 'SERVICE_NOT_RESTARTED')!;
      expect(nr.next).toBe(`systemctl --user restart ${UNIT}`);
      expect(nr.evidence).toMatchObject({ unit: UNIT, process: expect.stringMatching(/…dddd#/), sink: expect.stringMatching(/…eeee#/) });
      expect(Date.parse(nr.evidence.fileWritten as string)).toBeGreaterThan(Date.parse(nr.evidence.processStarted as string));
      expect(r.findings.find((x) => x.code === 'SINK_FILE_MODE')!.evidence).toMatchObject({ mode: '0644' });
      expect(r.raw).not.toContain(OTHER);
    } finally {
      writeFileSync(f.envFile, before, { mode: 0o600 });
      chmodSync(f.envFile, 0o600);
    }
  });

  test('wiring: a unit without the EnvironmentFile= → UNIT_DOES_NOT_READ_FILE; a later file overriding the token → SERVICE_ENV_OVERRIDDEN and the client refused (GATEWAY_TOKEN_MISMATCH)', async () => {
    try {
      f.um.writeUnit(CLIENT_UNIT, '[Service]\nExecStart=/bin/sleep infinity\n');
      f.um.systemctl('daemon-reload');
      let r = await doctor(1);
      expect(codes(r)).toContain('UNIT_DOES_NOT_READ_FILE');
      expect(r.findings.find((x) => x.code === 'UNIT_DOES_NOT_READ_FILE')!).toMatchObject({ subject: CLIENT_UNIT, evidence: { files: [clientEnv] } });

      const later = join(f.root, 'later.env');
      writeFileSync(later, 'OPENCLAW_GATEWAY_TOKEN=not-the-gateway-token-00000000000000\n', { mode: 0o600 });
      clientUnit(`EnvironmentFile=${later}`);
      r = await doctor(1);
      expect(codes(r)).toEqual(['GATEWAY_TOKEN_MISMATCH', 'SERVICE_ENV_OVERRIDDEN']);
      expect(r.findings.find((x) => x.code === 'GATEWAY_TOKEN_MISMATCH')!.layer).toBe('gateway-token');
      expect(r.findings.find((x) => x.code === 'SERVICE_ENV_OVERRIDDEN')!.next).toBe(`systemctl --user cat ${CLIENT_UNIT}  # a later EnvironmentFile= or Environment= sets OPENCLAW_GATEWAY_TOKEN`);
    } finally {
      clientUnit();
    }
  });

  test('binary split: another openclaw version first on PATH → OPENCLAW_BINARY_SPLIT (warning, exit 2); none on PATH → a note only', async () => {
    try {
      onPath(null);
      let r = await doctor(2);
      expect(codes(r)).toEqual(['OPENCLAW_BINARY_SPLIT']);
      expect(r.findings[0]!.evidence).toMatchObject({ unit: UNIT, unitVersion: expect.stringMatching(/^OpenClaw 2026\.9\.6/), pathVersion: 'OpenClaw 2026.1.2 (0000000)', pathOpenclaw: join(bin, 'openclaw') });
      rmSync(join(bin, 'openclaw'));
      r = await doctor(0);
      expect(r.findings.map((x) => x.code)).toEqual(['OPENCLAW_NOT_ON_PATH']);
    } finally {
      onPath(OPENCLAW_MJS);
    }
  });

  test('sources: a stored profile shadows the env key → SOURCE_SHADOWED + PROVIDER_KEY_SHADOWED; an unmanaged ~/.openclaw/.env copy → KEY_IN_DOTENV', async () => {
    const oc = { HOME: f.home, PATH: f.env.PATH! };
    const dotEnv = join(f.home, '.openclaw', '.env');
    try {
      const paste = await runOpenclawAsync(['models', 'auth', 'paste-api-key', '--provider', 'anthropic', '--profile-id', 'anthropic:manual'], oc, 'sk-ant-pasted-22222222222222222222222222222222ffff\n');
      expect(paste.code, paste.stderr).toBe(0);
      writeFileSync(dotEnv, 'ANTHROPIC_API_KEY=sk-ant-dotenv-33333333333333333333333333333333gggg\n', { mode: 0o600 });
      const r = await doctor(1);
      expect(codes(r)).toEqual(['KEY_IN_DOTENV', 'PROVIDER_KEY_SHADOWED', 'SOURCE_SHADOWED']);
      const s = r.findings.find((x) => x.code === 'SOURCE_SHADOWED')!;
      expect(s.evidence.winner).toBe('profile main/anthropic:manual');
      expect(r.findings.find((x) => x.code === 'KEY_IN_DOTENV')!.subject).toBe(dotEnv);
    } finally {
      rmSync(dotEnv, { force: true });
      const out = await runOpenclawAsync(['models', 'auth', 'logout', 'anthropic:manual', '--yes'], oc);
      expect(out.code, out.stderr).toBe(0);
    }
  });

  test('token drift: a client given another token → TOKEN_DRIFT + SINK_BEHIND_BACKEND + GATEWAY_TOKEN_MISMATCH', async () => {
    const before = readFileSync(clientEnv);
    try {
      writeFileSync(clientEnv, 'OPENCLAW_GATEWAY_TOKEN=drifted-token-4444444444444444444444\n', { mode: 0o600 });
      clientUnit();
      const r = await doctor(1);
      expect(codes(r)).toEqual(['GATEWAY_TOKEN_MISMATCH', 'SINK_BEHIND_BACKEND', 'TOKEN_DRIFT']);
      const d = r.findings.find((x) => x.code === 'TOKEN_DRIFT')!;
      expect(d.message).toMatch(/gateway\/prod\/main#0 \(client\) drif…4444#[0-9a-f]+/);
      expect(d.message).toMatch(/gateway\/prod\/main#0 would be refused/);
      expect(d.next).toBe('rekey rotate gateway  # one new token to the server and every client together');
    } finally {
      writeFileSync(clientEnv, before, { mode: 0o600 });
      clientUnit();
    }
  });

  test('rotation health and residue: a killed rotation → ROTATION_UNFINISHED (next: rekey resume); after a real token rotation OpenClaw\'s openclaw.json.bak holds the old token → RESIDUE_OLD_VALUE', async () => {
    const killed = await cli(['rotate', 'gateway'], undefined, { REKEY_CRASH_AFTER: '2' });
    expect(killed.signal).toBe('SIGKILL');
    let r = await doctor(1);
    expect(codes(r)).toContain('ROTATION_UNFINISHED');
    expect(r.findings.find((x) => x.code === 'ROTATION_UNFINISHED')!.next).toBe('rekey resume');
    // killed before promote: resume rolls it back (exit 5: the rotation did not complete)
    const resumed = await cli(['resume']);
    expect(resumed.code, resumed.stderr + resumed.stdout).toBe(5);

    const old = token;
    const stateDir = join(f.home, '.openclaw');
    try {
      const rot = await cli(['rotate', 'gateway']);
      expect(rot.code, rot.stderr + rot.stdout).toBe(0);
      token = JSON.parse(readFileSync(join(stateDir, 'openclaw.json'), 'utf8')).gateway.auth.token as string;
      expect(token).not.toBe(old);
      r = await doctor(2);
      expect(codes(r).every((c) => c === 'RESIDUE_OLD_VALUE')).toBe(true);
      const bak = r.findings.find((x) => x.subject === join(stateDir, 'openclaw.json.bak'))!;
      expect(bak.evidence.fingerprints).toEqual([fingerprint(old)]);
      expect(r.raw).not.toContain(old);
    } finally {
      for (const n of readdirSync(stateDir).filter((x) => /\.bak|last-good|\.migrated-/.test(x))) rmSync(join(stateDir, n));
    }
    expect(codes(await doctor(0))).toEqual([]);
  });

  test('Gateway down → GATEWAY_UNREACHABLE + SERVICE_NOT_RUNNING; back up with a stale alternate and OPENCLAW_GATEWAY_TOKEN in its env file → STALE_ALTERNATE + TOKEN_IN_UNIT_ENV', async () => {
    const before = readFileSync(f.envFile);
    try {
      expect(f.um.systemctl('stop', UNIT).code).toBe(0);
      let r = await doctor(1);
      expect(codes(r)).toEqual(expect.arrayContaining(['GATEWAY_UNREACHABLE', 'SERVICE_NOT_RUNNING']));
      expect(r.findings.find((x) => x.code === 'GATEWAY_UNREACHABLE')!).toMatchObject({ layer: 'gateway-token', subject: UNIT, next: `systemctl --user status ${UNIT}; journalctl --user -u ${UNIT} -n 50` });

      writeFileSync(f.envFile, `${before.toString()}ANTHROPIC_API_KEYS=${KEY}\nOPENCLAW_GATEWAY_TOKEN=${token}\n`, { mode: 0o600 });
      expect(f.um.systemctl('start', UNIT).code).toBe(0);
      await f.waitGatewayReady();
      r = await doctor(2);
      expect(codes(r)).toEqual(['STALE_ALTERNATE', 'TOKEN_IN_UNIT_ENV']);
      expect(r.findings.find((x) => x.code === 'STALE_ALTERNATE')!.evidence.alternates).toEqual([expect.stringMatching(/^ANTHROPIC_API_KEYS=sk-a…dddd#[0-9a-f]+ \(current\)$/)]);
      expect(r.findings.find((x) => x.code === 'TOKEN_IN_UNIT_ENV')!.evidence).toMatchObject({ unit: UNIT, same: true });
    } finally {
      writeFileSync(f.envFile, before, { mode: 0o600 });
      f.um.systemctl('restart', UNIT);
    }
  });
});
