import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startArgvSampler } from '../harness/argv-sampler.js';
import { startGatewayFixture, UNIT, type GatewayFixture } from '../harness/gateway-fixture.js';
import { NODE24, OPENCLAW, OPENCLAW_MJS } from '../harness/openclaw.js';
import { REKEY_MAIN, rekeyAsync } from '../harness/rekey-cli.js';
import { startSecretService, type SecretService } from '../harness/secret-service.js';
import { anthropicPolicy } from '../harness/light-policy.js';

const ONE = 'sk-ant-kc-one-0000000000000000000000000000000001';
const TWO = 'sk-ant-kc-two-0000000000000000000000000000000002';
const BAD = 'sk-ant-kc-bad-0000000000000000000000000000000003';
const THREE = 'sk-ant-kc-three-00000000000000000000000000000004';

describe('keychain delivery (real Secret Service) consumed through `rekey exec` by a real systemd user unit', () => {
  let f: GatewayFixture;
  let ss: SecretService;
  const cli = (args: string[], input?: string, env: Record<string, string> = {}) => rekeyAsync([...args, '--policy', f.policyFile], { ...f.env, ...ss.env, ...env }, input);
  const keychainItem = async () => {
    const { AsyncEntry } = await import('@napi-rs/keyring');
    return new AsyncEntry('rekey/prod/main', 'ANTHROPIC_API_KEY').getPassword();
  };
  /** the unit's [Service] lines: the Secret Service's bus, rekey's state, and ExecStart through rekey exec */
  const unitText = (command: string, extra = '') => `[Unit]
Description=OpenClaw Gateway through rekey exec (test)

[Service]
Environment=HOME=${f.home} PATH=${dirname(NODE24)}:/usr/bin:/bin OPENCLAW_NO_RESPAWN=1
Environment=DBUS_SESSION_BUS_ADDRESS=${ss.env.DBUS_SESSION_BUS_ADDRESS} REKEY_HOME=${f.env.REKEY_HOME}
${extra}
ExecStart=${process.execPath} ${REKEY_MAIN} exec --policy ${f.policyFile} --agent main --env prod -- ${command}
Restart=no
`;
  /**
   * Each test starts from its own state: a fresh rekey home whose current version is `value`,
   * already in the keychain item, consumed by a light unit through `rekey exec` (a first delivery
   * of the same value: nothing changes, no restart). The test then installs the unit it needs.
   */
  let homes = 0;
  const seed = async (value: string) => {
    f.env.REKEY_HOME = join(f.root, `rekey-kc-${++homes}`);
    expect((await cli(['init'])).code).toBe(0);
    const { AsyncEntry } = await import('@napi-rs/keyring');
    await new AsyncEntry('rekey/prod/main', 'ANTHROPIC_API_KEY').setPassword(value);
    install(unitText('/bin/sleep infinity'));
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], value)).code).toBe(0);
    const r = await cli(['rotate', 'anthropic']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
  };
  const install = (text: string) => {
    f.um.writeUnit(UNIT, text);
    const r = f.um.systemctl('restart', UNIT);
    if (r.code !== 0) throw new Error(r.stderr);
  };

  beforeAll(async () => {
    ss = await startSecretService();
    process.env.DBUS_SESSION_BUS_ADDRESS = ss.env.DBUS_SESSION_BUS_ADDRESS;
    f = await startGatewayFixture({ allow: [ONE, TWO] });
    writeFileSync(f.envFile, '', { mode: 0o600 });
    writeFileSync(
      f.policyFile,
      anthropicPolicy({ services: `
  gateway: { kind: systemd-user, unit: ${UNIT}, settleMs: 1000, startTimeoutMs: 30000 }`, deliveries: `      - agent: main
        env: prod
        sink: { kind: keychain }
        service: gateway
        verify: { kind: openclaw-models-status, command: ${JSON.stringify(OPENCLAW)}, timeoutMs: 240000 }` }),
    );
  });
  afterAll(async () => {
    await f?.close();
    await ss?.stop();
  });

  test('rotate delivers to the keychain item; after the restart the Gateway sends the new key; no value in any argv', async () => {
    f.env.REKEY_HOME = join(f.root, `rekey-kc-${++homes}`);
    expect((await cli(['init'])).code).toBe(0);
    const { AsyncEntry } = await import('@napi-rs/keyring');
    await new AsyncEntry('rekey/prod/main', 'ANTHROPIC_API_KEY').deletePassword().catch(() => false);
    // before the first delivery the item does not exist: rekey exec refuses to start the Gateway
    install(unitText(`${NODE24} ${OPENCLAW_MJS} gateway run --port ${f.gatewayPort} --bind loopback`));
    const sampler = startArgvSampler([ONE, TWO]);
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], ONE)).code).toBe(0);
    const plan = JSON.parse((await cli(['plan', 'anthropic', '--json'])).stdout);
    expect(plan.blastRadius.keychainItems).toEqual(['rekey/prod/main/ANTHROPIC_API_KEY']);
    expect(plan.blastRadius.files).toEqual([]);
    let r = await cli(['rotate', 'anthropic']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(await keychainItem()).toBe(ONE);
    await f.waitGatewayReady();
    let turn = await f.agentTurn();
    expect(turn.code, turn.stdout + turn.stderr).toBe(0);
    expect(f.fake.seenKeys.at(-1)).toBe(ONE);

    const pid = f.um.mainPid(UNIT);
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], TWO)).code).toBe(0);
    r = await cli(['rotate', 'anthropic']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stderr).toMatch(/✓ restart openclaw-gateway.service/);
    expect(f.um.mainPid(UNIT)).not.toBe(pid);
    expect(await keychainItem()).toBe(TWO);
    await f.waitGatewayReady();
    turn = await f.agentTurn();
    expect(turn.code, turn.stdout + turn.stderr).toBe(0);
    expect(f.fake.seenKeys.at(-1)).toBe(TWO);

    // rekey exec --dry-run names the item and the fingerprint, never the value
    const dry = await cli(['exec', '--agent', 'main', '--env', 'prod', '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout).sources[0]).toMatchObject({ envVar: 'ANTHROPIC_API_KEY', from: 'rekey/prod/main/ANTHROPIC_API_KEY' });
    expect(dry.stdout).not.toContain(TWO);
    const { hits, samples } = sampler.stop();
    expect(samples).toBeGreaterThan(50);
    expect(hits).toEqual([]);
  });

  test('the service fails to start with the new key → the previous item is restored, restarted, verified, exit 5', async () => {
    await seed(TWO);
    f.fake.allow(BAD); // the provider takes it; the consumer does not
    // a light consumer that refuses BAD (the shell compares its environment, not argv)
    install(unitText(`/bin/sh -c 'test "$$ANTHROPIC_API_KEY" != "$$BREAKS_WITH" && exec sleep infinity'`, `Environment=BREAKS_WITH=${BAD}`));
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], BAD)).code).toBe(0);
    const r = await cli(['rotate', 'anthropic']);
    expect(r.code, r.stderr + r.stdout).toBe(5);
    // Where it is caught depends on how fast `rekey exec` starts: within the restart's settle
    // window (the unit flips back to failed) or, on a loaded machine, by the alive check that
    // finds no process holding the key. Either way nothing is promoted.
    expect(r.stderr).toMatch(/✗ restart openclaw-gateway.service|✗ verify anthropic\/prod\/main#0: .*(runs no process|no longer running|restarted during)/);
    expect(r.stderr).not.toMatch(/✓ verify anthropic/);
    expect(r.stderr).toMatch(/✓ verify-old/);
    expect(await keychainItem()).toBe(TWO);
    expect(f.um.show(UNIT, 'ActiveState')).toBe('active');
  });

  test('a unit that does not start through `rekey exec` is refused before anything is written, exit 3', async () => {
    await seed(TWO);
    f.um.writeUnit(UNIT, `[Service]\nEnvironment=HOME=${f.home}\nExecStart=/bin/sleep infinity\n`);
    f.um.systemctl('daemon-reload');
    f.um.systemctl('restart', UNIT);
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], ONE)).code).toBe(0);
    const r = await cli(['rotate', 'anthropic']);
    expect(r.code, r.stderr + r.stdout).toBe(3);
    expect(r.stderr).toMatch(/does not start through `rekey exec --agent main --env prod/);
    expect(await keychainItem()).toBe(TWO);
  });

  test('zero restart: an OpenClaw exec SecretRef resolves the item through `rekey openclaw resolve`; rotate writes it and reloads; same PID', async () => {
    await seed(TWO);
    // OpenClaw runs rekey as an exec secrets provider: an absolute, non-symlinked binary owned by the Gateway's user
    const policy2 = join(f.root, 'policy-exec-ref.yaml');
    const configPath = join(f.home, '.openclaw', 'openclaw.json');
    const config = JSON.parse(readFileSync(configPath, 'utf8'));
    config.secrets = {
      providers: {
        rekey: { source: 'exec', command: realpathSync(process.execPath), args: [REKEY_MAIN, 'openclaw', 'resolve', '--policy', policy2], passEnv: ['DBUS_SESSION_BUS_ADDRESS', 'HOME', 'PATH', 'REKEY_HOME'], jsonOnly: true },
      },
    };
    config.models.providers.anthropic.apiKey = { source: 'exec', provider: 'rekey', id: 'prod/main/ANTHROPIC_API_KEY' };
    writeFileSync(configPath, JSON.stringify(config, null, 2), { mode: 0o600 });
    const oc = JSON.stringify(OPENCLAW);
    writeFileSync(
      policy2,
      readFileSync(f.policyFile, 'utf8')
        .replace('sink: { kind: keychain }', `sink: { kind: keychain, reload: { command: ${oc} } }`)
        .replace('service: gateway', 'service: null')
        .replace(/verify: \{ kind: openclaw-models-status, command: (.*), timeoutMs: 240000 \}/, 'verify: { kind: openclaw-secrets-audit, command: $1 }'),
    );
    // the plain Gateway (no rekey exec), with the Secret Service's bus for its exec provider
    install(
      unitText(`${NODE24} ${OPENCLAW_MJS} gateway run --port ${f.gatewayPort} --bind loopback`).replace(/^ExecStart=.*$/m, `ExecStart=${NODE24} ${OPENCLAW_MJS} gateway run --port ${f.gatewayPort} --bind loopback`),
    );
    await f.waitGatewayReady();
    const run2 = (args: string[], input?: string) => rekeyAsync([...args, '--policy', policy2], { ...f.env, ...ss.env }, input);
    let turn = await f.agentTurn();
    expect(turn.code, turn.stdout + turn.stderr).toBe(0);
    expect(f.fake.seenKeys.at(-1)).toBe(TWO);

    const pid = f.um.mainPid(UNIT);
    f.fake.allow(THREE);
    expect((await run2(['put', 'anthropic', '--env', 'prod', '--stdin'], THREE)).code).toBe(0);
    const r = await run2(['rotate', 'anthropic']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stderr).not.toMatch(/✓ restart/);
    expect(r.stderr).toMatch(/✓ verify .*from the SecretRef/);
    expect(await keychainItem()).toBe(THREE);
    turn = await f.agentTurn();
    expect(turn.code, turn.stdout + turn.stderr).toBe(0);
    expect(f.fake.seenKeys.at(-1)).toBe(THREE);
    expect(f.um.mainPid(UNIT)).toBe(pid);
    // the resolver speaks the protocol: a bad id is a per-id error, not a crash
    const direct = await rekeyAsync(['openclaw', 'resolve', '--policy', policy2], { ...f.env, ...ss.env }, JSON.stringify({ protocolVersion: 1, provider: 'rekey', ids: ['prod/main/ANTHROPIC_API_KEY', 'bad id', 'prod/nobody/X'] }));
    expect(direct.code, direct.stderr).toBe(0);
    expect(JSON.parse(direct.stdout)).toEqual({
      protocolVersion: 1,
      values: { 'prod/main/ANTHROPIC_API_KEY': THREE },
      errors: { 'bad id': expect.objectContaining({ code: 'INVALID_ID' }), 'prod/nobody/X': expect.objectContaining({ code: 'NOT_FOUND' }) },
    });
  });

  test('no reachable Secret Service: refused in pre-flight with a hint, exit 3', async () => {
    f.env.REKEY_HOME = join(f.root, `rekey-kc-${++homes}`);
    expect((await cli(['init'])).code).toBe(0);
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], ONE)).code).toBe(0);
    const r = await cli(['rotate', 'anthropic'], undefined, { DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(f.root, 'no-bus')}` });
    expect(r.code, r.stderr + r.stdout).toBe(3);
    expect(r.stderr).toMatch(/Secret Service/);
  });
});
