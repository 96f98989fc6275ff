import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startArgvSampler } from '../harness/argv-sampler.js';
import { startGatewayFixture, type GatewayFixture } from '../harness/gateway-fixture.js';
import { OPENCLAW, runOpenclawAsync } from '../harness/openclaw.js';
import { rekeyAsync } from '../harness/rekey-cli.js';
import { fingerprint } from '../../src/core/secret-value.js';

const CLIENT_UNIT = 'openclaw-client.service';

describe('Gateway token rotation: server and clients together (real Gateway under systemd)', () => {
  let f: GatewayFixture;
  let cliDir = '';
  let svcDir = '';
  let staleDir = '';
  let clientEnv = '';
  const cli = (args: string[], input?: string) => rekeyAsync([...args, '--policy', f.policyFile], f.env, input);
  const serverToken = () => JSON.parse(readFileSync(join(f.home, '.openclaw', 'openclaw.json'), 'utf8')).gateway.auth.token as string;
  /** a client of its own (config dir), reaching the Gateway through gateway.remote.* or OPENCLAW_GATEWAY_TOKEN */
  const remoteConfig = (dir: string, token?: string) => {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(join(dir, 'openclaw.json'), JSON.stringify({ gateway: { mode: 'remote', remote: { url: `ws://127.0.0.1:${f.gatewayPort}`, ...(token ? { token } : {}) } } }, null, 2), { mode: 0o600 });
  };
  const health = (dir: string, env: Record<string, string> = {}) =>
    runOpenclawAsync(['gateway', 'health', '--json'], { HOME: dir, OPENCLAW_STATE_DIR: dir, OPENCLAW_CONFIG_PATH: join(dir, 'openclaw.json'), ...env });
  const clientUnit = (extra = '') => {
    f.um.writeUnit(CLIENT_UNIT, `[Service]\nEnvironmentFile=${clientEnv}\n${extra}\nExecStart=/bin/sleep infinity\n`);
    f.um.systemctl('daemon-reload');
    expect(f.um.systemctl('restart', CLIENT_UNIT).code).toBe(0);
  };

  beforeAll(async () => {
    f = await startGatewayFixture({ allow: [] });
    writeFileSync(f.envFile, '', { mode: 0o600 });
    cliDir = join(f.root, 'operator-cli');
    svcDir = join(f.root, 'client-svc');
    staleDir = join(f.root, 'stale-cli');
    clientEnv = join(f.root, 'client.env');
    remoteConfig(cliDir, f.gatewayToken);
    remoteConfig(svcDir);
    writeFileSync(clientEnv, `OPENCLAW_GATEWAY_TOKEN=${f.gatewayToken}\n`, { mode: 0o600 });
    const oc = JSON.stringify(OPENCLAW);
    writeFileSync(
      f.policyFile,
      `version: 1
environments: { prod: {} }
agents: { main: {} }
backends: { local: { kind: local } }
services:
  client: { kind: systemd-user, unit: ${CLIENT_UNIT}, settleMs: 300 }
secrets:
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
        sink: { kind: openclaw-config-token, field: remote, command: ${oc}, stateDir: "${cliDir}", timeoutMs: 240000 }
        service: null
        verify: { kind: openclaw-gateway-probe, role: client, command: ${oc}, stateDir: "${cliDir}" }
      - agent: main
        env: prod
        sink: { kind: openclaw-config-token, field: auth, command: ${oc}, timeoutMs: 240000 }
        service: null
        verify: { kind: openclaw-gateway-probe, role: server, port: ${f.gatewayPort}, command: ${oc} }
`,
    );
    await f.installGateway();
    await f.waitGatewayReady();
    clientUnit();
  });
  afterAll(async () => {
    await f?.close();
  });

  test('a minted token reaches the server and every listed client in one verified step; a client left behind is refused; nothing in argv', async () => {
    // adopt the token in use as the current version
    expect((await cli(['put', 'gateway', '--env', 'prod', '--stdin'], f.gatewayToken)).code).toBe(0);
    let r = await cli(['rotate', 'gateway']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    remoteConfig(staleDir, f.gatewayToken);

    const plan = await cli(['plan', 'gateway']);
    expect(plan.stdout).toMatch(/delivery order: gateway\/prod\/main#2 \(server\), gateway\/prod\/main#0 \(client\), gateway\/prod\/main#1 \(client\)/);
    expect(plan.stdout).toContain(join(cliDir, 'openclaw.json'));
    // paired devices are separate credentials: listed (none here), rotatable one by one
    expect(plan.stdout).toMatch(/paired devices \(separate tokens.*\n  gateway\/prod\/main#2: none/);
    const dev = await cli(['openclaw', 'devices', 'gateway', '--rotate', 'no-such-device', '--role', 'operator']);
    expect(dev.code, dev.stderr).toBe(4);
    expect(dev.stderr).toMatch(/openclaw devices rotate --device no-such-device --role operator failed/);
    // a device-token rotation takes the secret's lock and is audited, failure included
    const devAudit = readFileSync(join(f.env.REKEY_HOME!, 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(devAudit.at(-1)).toMatchObject({ command: 'device-rotate', outcome: 'failed', exitCode: 4, secret: 'gateway' });

    const sampler = startArgvSampler([f.gatewayToken]);
    const pid = f.um.mainPid('openclaw-gateway.service');
    r = await cli(['rotate', 'gateway']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const audit = readFileSync(join(f.env.REKEY_HOME!, 'audit.jsonl'), 'utf8').trim().split('\n');
    const report = JSON.parse(audit.at(-1)!);
    const minted = serverToken();
    expect(minted).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(minted).not.toBe(f.gatewayToken);
    expect(report.targets).toEqual([
      { id: 'gateway/prod/main#2', verified: true },
      { id: 'gateway/prod/main#0', verified: true },
      { id: 'gateway/prod/main#1', verified: true },
    ]);
    expect(report.blastRadius.files).toEqual([clientEnv, join(cliDir, 'openclaw.json'), '~/.openclaw/openclaw.json'].sort());
    expect(r.stderr).toMatch(/Gateway accepts .* and refuses /);
    expect(JSON.parse(readFileSync(join(cliDir, 'openclaw.json'), 'utf8')).gateway.remote.token).toBe(minted);
    expect(readFileSync(clientEnv, 'utf8')).toBe(`OPENCLAW_GATEWAY_TOKEN=${minted}\n`);
    // the Gateway was not restarted; the client configured by rekey connects, the stale one is refused
    expect(f.um.mainPid('openclaw-gateway.service')).toBe(pid);
    expect((await health(cliDir)).code).toBe(0);
    const stale = await health(staleDir);
    expect(stale.code).toBe(1);
    expect(stale.stdout + stale.stderr).toMatch(/gateway token mismatch/);
    // OpenClaw's backups keep the old token: reported by fingerprint
    expect(r.stdout).toMatch(/residue: .*\/home\/\.openclaw\/openclaw\.json\.bak held the old value \S+ still there/);
    expect(r.stdout).toContain(`held the old value ${fingerprint(f.gatewayToken)}`);
    expect(r.stdout).toMatch(/residue: .*\/operator-cli\/openclaw\.json\.bak held the old value/);
    const { hits } = sampler.stop();
    expect(hits).toEqual([]);
    expect(r.stdout + r.stderr).not.toContain(minted);
    expect(r.stdout + r.stderr).not.toContain(f.gatewayToken);
    const state = readdirSync(f.env.REKEY_HOME!, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    for (const e of state) expect(readFileSync(join(e.parentPath, e.name)).includes(minted), e.name).toBe(false);
  });

  test('a client that cannot take the new token → server and clients rolled back together; the old token works again', async () => {
    const before = serverToken();
    const next = `rekey-test-token-${'n'.repeat(30)}`;
    clientUnit(`ExecStartPre=/bin/sh -c 'test "$$OPENCLAW_GATEWAY_TOKEN" != "$$BREAKS_WITH"'\nEnvironment=BREAKS_WITH=${next}`);
    expect((await cli(['put', 'gateway', '--env', 'prod', '--stdin'], next)).code).toBe(0);
    const r = await cli(['rotate', 'gateway', '--scrub']);
    expect(r.code, r.stderr + r.stdout).toBe(5);
    expect(r.stderr).toMatch(/✗ restart openclaw-client.service/);
    expect(r.stderr).toMatch(/✓ verify-old gateway\/prod\/main#2: .*Gateway accepts .* and refuses /);
    expect(serverToken()).toBe(before);
    expect(JSON.parse(readFileSync(join(cliDir, 'openclaw.json'), 'utf8')).gateway.remote.token).toBe(before);
    expect(readFileSync(clientEnv, 'utf8')).toBe(`OPENCLAW_GATEWAY_TOKEN=${before}\n`);
    expect((await health(cliDir)).code).toBe(0);
    remoteConfig(staleDir, next);
    expect((await health(staleDir)).code).toBe(1);
    clientUnit();
  });

  test('rotate --scrub removes the old token from openclaw.json.bak* and .last-good (server and client configs)', async () => {
    const before = serverToken();
    const r = await cli(['rotate', 'gateway', '--scrub']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/residue: .* held the old value .*: removed/);
    expect(r.stdout).not.toContain(before);
    for (const dir of [join(f.home, '.openclaw'), cliDir]) {
      for (const name of readdirSync(dir).filter((n) => /\.(bak(\.\d+)?|last-good)$|\.migrated-/.test(n))) {
        expect(readFileSync(join(dir, name), 'utf8').includes(before), `${dir}/${name}`).toBe(false);
      }
    }
    expect((await health(cliDir)).code).toBe(0);
  });

  test('a token delivered to the server environment while openclaw.json sets gateway.auth.token is refused (config wins), exit 3', async () => {
    writeFileSync(
      f.policyFile,
      `version: 1
environments: { prod: {} }
agents: { main: {} }
backends: { local: { kind: local } }
services:
  gateway: { kind: systemd-user, unit: openclaw-gateway.service }
secrets:
  gateway:
    layer: gateway-token
    backend: local
    ref: openclaw/{env}/gateway-token
    deliveries:
      - agent: main
        env: prod
        sink: { kind: systemd-env-file, path: "${f.envFile}" }
        service: gateway
        verify: { kind: openclaw-gateway-probe, role: server, port: ${f.gatewayPort}, command: ${JSON.stringify(OPENCLAW)} }
`,
    );
    const r = await cli(['rotate', 'gateway']);
    expect(r.code, r.stderr + r.stdout).toBe(3);
    expect(r.stderr).toMatch(/sets gateway\.auth\.token, which beats OPENCLAW_GATEWAY_TOKEN/);
  });

  test("Gateway access for CI: a runner's own paired device (a node host that paired on loopback) recorded as its lease, then revoked and removed for real", async () => {
    const ciPolicy = join(f.root, 'ci-devices.yaml');
    writeFileSync(
      ciPolicy,
      `version: 1
environments: { prod: {} }
agents: { main: {} }
backends: { local: { kind: local } }
ci: {}
secrets:
  gateway:
    layer: gateway-token
    backend: local
    ref: openclaw/{env}/gateway-token
    deliveries:
      - agent: main
        env: prod
        sink: { kind: openclaw-config-token, field: auth, command: ${JSON.stringify(OPENCLAW)}, timeoutMs: 240000 }
        service: null
        verify: { kind: openclaw-gateway-probe, role: server, port: ${f.gatewayPort}, command: ${JSON.stringify(OPENCLAW)} }
`,
    );
    const ci = (args: string[]) => rekeyAsync([...args, '--policy', ciPolicy], f.env);
    const gatewayDevices = async () => {
      const r = await runOpenclawAsync(['devices', 'list', '--json'], { HOME: f.home });
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as { paired: { deviceId: string; clientId?: string; roles?: string[] }[] }).paired;
    };
    // the runner's side: a node host with a key pair of its own, paired on loopback (auto-approved)
    const runnerHome = join(f.root, 'ci-runner-node');
    mkdirSync(runnerHome, { recursive: true, mode: 0o700 });
    const before = new Set((await gatewayDevices()).map((d) => d.deviceId));
    const node = spawn(OPENCLAW[0]!, [OPENCLAW[1]!, 'node', 'run', '--host', '127.0.0.1', '--port', String(f.gatewayPort)], {
      env: { PATH: `${dirname(OPENCLAW[0]!)}:/usr/bin:/bin`, HOME: runnerHome, OPENCLAW_GATEWAY_TOKEN: serverToken() },
      stdio: 'ignore',
    });
    let device: string | undefined;
    try {
      const deadline = Date.now() + 240_000;
      while (!device && Date.now() < deadline) {
        device = (await gatewayDevices()).find((d) => !before.has(d.deviceId) && d.clientId === 'node-host')?.deviceId;
        if (!device) await new Promise((r) => setTimeout(r, 2000));
      }
    } finally {
      node.kill('SIGTERM');
    }
    expect(device, 'the node host never paired').toBeDefined();

    const issued = await ci(['ci', 'issue', '--runner', 'gha-gw', '--secret', 'gateway', '--device', device!, '--ttl', '1h', '--json']);
    expect(issued.code, issued.stderr).toBe(0);
    const lease = JSON.parse(issued.stdout).lease;
    expect(lease).toMatchObject({ runner: 'gha-gw', source: 'device', upstreamId: device, roles: ['node'] });
    expect(JSON.parse((await ci(['ci', 'list', '--json'])).stdout).leases.map((l: { id: string }) => l.id)).toContain(lease.id);
    // the same device cannot be a second runner's
    expect((await ci(['ci', 'issue', '--runner', 'gha-other', '--secret', 'gateway', '--device', device!, '--ttl', '1h'])).code).toBe(3);

    const revoked = await ci(['ci', 'revoke', 'gha-gw', '--json']);
    expect(revoked.code, revoked.stderr + revoked.stdout).toBe(0);
    expect(JSON.parse(revoked.stdout).ended).toEqual([expect.objectContaining({ id: lease.id, ended: true, upstream: 'revoked node; pairing removed', probe: expect.stringMatching(/^refused: no longer paired/) })]);
    expect((await gatewayDevices()).map((d) => d.deviceId)).not.toContain(device);
    const audit = readFileSync(join(f.env.REKEY_HOME!, 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(audit.filter((r) => r.lease?.id === lease.id).map((r) => r.command)).toEqual(['ci-issue', 'ci-end']);
  });
});
