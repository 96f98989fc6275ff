import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startArgvSampler } from '../harness/argv-sampler.js';
import { startGatewayFixture, UNIT, type GatewayFixture } from '../harness/gateway-fixture.js';
import { OPENCLAW, runOpenclawAsync } from '../harness/openclaw.js';
import { rekeyAsync } from '../harness/rekey-cli.js';
import { anthropicPolicy } from '../harness/light-policy.js';

const ONE = 'sk-ant-prof-one-000000000000000000000000000000001';
const REVOKED = 'sk-ant-prof-revoked-0000000000000000000000000002';
const TWO = 'sk-ant-prof-two-000000000000000000000000000000003';

describe('zero-restart rotation through a stored OpenClaw auth profile (real Gateway under systemd)', () => {
  let f: GatewayFixture;
  const cli = (args: string[], input?: string) => rekeyAsync([...args, '--policy', f.policyFile], f.env, input);
  const oc = (args: string[], input?: string) => runOpenclawAsync(args, { HOME: f.home }, input);

  beforeAll(async () => {
    f = await startGatewayFixture({ allow: [ONE, TWO] });
    writeFileSync(f.envFile, '', { mode: 0o600 });
    writeFileSync(
      f.policyFile,
      anthropicPolicy({ deliveries: `      - agent: main
        env: prod
        sink: { kind: openclaw-auth-profile, profileId: "anthropic:rekey", command: ${JSON.stringify(OPENCLAW)}, timeoutMs: 240000 }
        service: null
        verify: { kind: openclaw-models-status, command: ${JSON.stringify(OPENCLAW)} }` }),
    );
    await f.installGateway();
    await f.waitGatewayReady();
  });
  afterAll(async () => {
    await f?.close();
  });

  test('the live Gateway uses each new key at once, a cooldown left by a revoked key included; same PID; no key in argv', async () => {
    const sampler = startArgvSampler([ONE, REVOKED, TWO]);
    const pid = f.um.mainPid(UNIT);
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], ONE)).code).toBe(0);
    const plan = JSON.parse((await cli(['plan', 'anthropic', '--json'])).stdout);
    expect(plan.blastRadius.authProfiles).toEqual(['main/anthropic:rekey']);
    let r = await cli(['rotate', 'anthropic']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stderr).toMatch(/profile anthropic:rekey = sk-a…0001/);
    let turn = await f.agentTurn();
    expect(turn.code, turn.stdout + turn.stderr).toBe(0);
    expect(f.fake.seenKeys.at(-1)).toBe(ONE);

    // a key the provider accepts at rotation time and revokes right after: the next turn fails
    // with 401 and the profile goes into cooldown
    f.fake.allow(REVOKED);
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], REVOKED)).code).toBe(0);
    r = await cli(['rotate', 'anthropic']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stderr).toMatch(/accepted by the provider/);
    f.fake.deny(REVOKED);
    const before = f.fake.seenKeys.length;
    turn = await f.agentTurn();
    // the provider refused it (401); OpenClaw then retried without a usable key
    expect(f.fake.seenKeys.slice(before)).toContain(REVOKED);
    expect(turn.stdout + turn.stderr).not.toContain(REVOKED);
    const seen = f.fake.seenKeys.length;

    // the next rotation logs the profile out before pasting, so the new key is used at once
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], TWO)).code).toBe(0);
    r = await cli(['rotate', 'anthropic']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    turn = await f.agentTurn();
    expect(turn.code, turn.stdout + turn.stderr).toBe(0);
    expect(f.fake.seenKeys.length).toBeGreaterThan(seen);
    expect(f.fake.seenKeys.at(-1)).toBe(TWO);
    expect(f.um.mainPid(UNIT)).toBe(pid);
    const { hits } = sampler.stop();
    expect(hits).toEqual([]);
  }, 900_000);

  test('another stored profile for the provider would win: refused before anything is written, exit 3', async () => {
    // its own rekey state: independent of the test before
    f.env.REKEY_HOME = join(f.root, 'rekey-other-profile');
    expect((await cli(['init'])).code).toBe(0);
    expect((await oc(['models', 'auth', 'paste-api-key', '--provider', 'anthropic', '--profile-id', 'anthropic:manual'], ONE)).code).toBe(0);
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], ONE)).code).toBe(0);
    const r = await cli(['rotate', 'anthropic']);
    expect(r.code, r.stderr + r.stdout).toBe(3);
    expect(r.stderr).toMatch(/anthropic:manual/);
    const list = JSON.parse((await oc(['models', 'auth', 'list', '--json'])).stdout);
    expect(list.profiles.map((p: { id: string }) => p.id).sort()).toEqual(['anthropic:manual', 'anthropic:rekey']);
    expect((await oc(['models', 'auth', 'logout', 'anthropic:manual', '--yes'])).code).toBe(0);
  });
});
