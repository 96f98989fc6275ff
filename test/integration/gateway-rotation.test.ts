import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startGatewayFixture, UNIT, type GatewayFixture } from '../harness/gateway-fixture.js';
import { OPENCLAW } from '../harness/openclaw.js';
import { rekeyAsync } from '../harness/rekey-cli.js';

const OLD = 'sk-ant-old-0000000000000000000000000000000000aaaa';
const NEW = 'sk-ant-new-1111111111111111111111111111111111bbbb';

describe('a real rotation: local backend → env file → systemd --user restart → openclaw verify → promote', () => {
  let f: GatewayFixture;
  beforeAll(async () => {
    f = await startGatewayFixture({ allow: [OLD, NEW] });
    // the env file as `openclaw gateway install` leaves it, with lines rekey does not own
    writeFileSync(f.envFile, `# written by openclaw gateway install\nOPENCLAW_LOG_LEVEL=info\nANTHROPIC_API_KEY=${OLD}\nANTHROPIC_API_KEY_2=${OLD}\n`, { mode: 0o600 });
    await f.installGateway();
    await f.waitGatewayReady();
  });
  afterAll(async () => {
    await f?.close();
  });

  test('the Gateway sends the new key after rotate, and no longer the old one', async () => {
    // adopt the key the Gateway already has as the backend's current version
    let r = await rekeyAsync(['put', 'anthropic', '--env', 'prod', '--stdin', '--policy', f.policyFile], f.env, OLD);
    expect(r.code, r.stderr).toBe(0);
    r = await rekeyAsync(['rotate', 'anthropic', '--policy', f.policyFile], f.env);
    expect(r.code, r.stderr + r.stdout).toBe(0);

    // the first rotation removed the stale ANTHROPIC_API_KEY_2 alternate, so the unit restarted
    expect(r.stderr).toMatch(/✓ restart openclaw-gateway.service/);
    await f.waitGatewayReady();
    const turn1 = await f.agentTurn();
    expect(turn1.code, turn1.stdout + turn1.stderr).toBe(0);
    expect(f.fake.seenKeys.at(-1)).toBe(OLD);

    const pidBefore = f.um.mainPid(UNIT);
    r = await rekeyAsync(['put', 'anthropic', '--env', 'prod', '--stdin', '--policy', f.policyFile], f.env, NEW + '\n');
    expect(r.code, r.stderr).toBe(0);
    r = await rekeyAsync(['rotate', 'anthropic', '--policy', f.policyFile], f.env);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stderr).toMatch(/✓ verify anthropic\/prod\/main#0/);
    expect(r.stdout).toMatch(/rotated anthropic/);

    // the file: new value, the stale alternate gone, every other line byte for byte, 0600
    const text = readFileSync(f.envFile, 'utf8');
    expect(text).toBe(`# written by openclaw gateway install\nOPENCLAW_LOG_LEVEL=info\nANTHROPIC_API_KEY=${NEW}\n`);
    expect(statSync(f.envFile).mode & 0o777).toBe(0o600);
    // the unit was restarted
    expect(f.um.mainPid(UNIT)).not.toBe(pidBefore);

    await f.waitGatewayReady();
    f.fake.deny(OLD);
    const seen = f.fake.seenKeys.length;
    const turn2 = await f.agentTurn();
    expect(turn2.code, turn2.stdout + turn2.stderr).toBe(0);
    const after = f.fake.seenKeys.slice(seen);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((k) => k === NEW)).toBe(true);

    // status shows the new version current, the old one previous, fingerprints only
    const s = await rekeyAsync(['status', 'anthropic', '--json', '--policy', f.policyFile], f.env);
    expect(s.code).toBe(0);
    const st = JSON.parse(s.stdout) as { secrets: { refs: { versions: { stages: string[]; fingerprint: string }[] }[]; last: { outcome: string } }[] };
    const versions = st.secrets[0]!.refs[0]!.versions;
    expect(versions.find((v) => v.stages.includes('current'))!.fingerprint).toMatch(/^sk-a…bbbb#/);
    expect(versions.find((v) => v.stages.includes('previous'))!.fingerprint).toMatch(/^sk-a…aaaa#/);
    expect(st.secrets[0]!.last.outcome).toBe('promoted');
    expect(s.stdout).not.toContain(NEW);
  });

  test('a key the provider refuses is refused before delivery (exit 3): env file and Gateway untouched, agent turns still work with the key it has', async () => {
    // its own state: adopt whatever key the Gateway runs with now
    f.env.REKEY_HOME = join(f.root, 'rekey-refused');
    const cli = (args: string[], input?: string) => rekeyAsync([...args, '--policy', f.policyFile], f.env, input);
    expect((await cli(['init'])).code).toBe(0);
    const held = /^ANTHROPIC_API_KEY=(.*)$/m.exec(readFileSync(f.envFile, 'utf8'))![1]!;
    f.fake.allow(held);
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], held)).code).toBe(0);
    const adopt = await cli(['rotate', 'anthropic']);
    expect(adopt.code, adopt.stderr + adopt.stdout).toBe(0);
    await f.waitGatewayReady();
    const fileBefore = readFileSync(f.envFile);
    const pid = f.um.mainPid(UNIT);
    const REJECTED = 'sk-ant-typo-2222222222222222222222222222222222cccc';
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], REJECTED)).code).toBe(0);
    const r = await cli(['rotate', 'anthropic']);
    expect(r.code, r.stderr + r.stdout).toBe(3);
    expect(r.stderr).toMatch(/anthropic refuses the new key .*HTTP 401 authentication_error/);
    expect(readFileSync(f.envFile).equals(fileBefore)).toBe(true);
    expect(f.um.mainPid(UNIT)).toBe(pid);
    const seen = f.fake.seenKeys.length;
    const turn = await f.agentTurn();
    expect(turn.code, turn.stdout + turn.stderr).toBe(0);
    expect(f.fake.seenKeys.slice(seen).every((k) => k === held)).toBe(true);
  });

  test('rekey init writes a starter policy whose verifier runs the openclaw of the Gateway unit (its ExecStart=)', async () => {
    const policy = join(f.root, 'init-detect', 'rekey.yaml');
    const r = await rekeyAsync(['init', '--policy', policy], { ...f.env, REKEY_HOME: join(f.root, 'rekey-init-detect') });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/verifier: .*node .*openclaw\.mjs \(the openclaw of openclaw-gateway\.service's ExecStart=\)/);
    expect(readFileSync(policy, 'utf8')).toContain(`command: ${JSON.stringify(OPENCLAW)}`);
    const check = await rekeyAsync(['policy', 'check', '--policy', policy], f.env);
    expect(check.code, check.stdout + check.stderr).toBe(0);
  });
});
