import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { startFakeVault, type FakeVault } from '../harness/fake-vault.js';
import { OPENCLAW_STANDIN } from '../harness/openclaw.js';
import { startGatewayFixture, type GatewayFixture } from '../harness/gateway-fixture.js';
import { rekeyAsync } from '../harness/rekey-cli.js';

const OLD = 'sk-ant-old-0000000000000000000000000000000000aaaa';
const ENV_OLD = `OPENCLAW_LOG_LEVEL=info\nANTHROPIC_API_KEY=${OLD}\n`;
let n = 0;
let k = 0;
const fresh = () => `sk-ant-new-${String(++k).padStart(4, '0')}${'z'.repeat(34)}`;

describe('Vault KV v2 backend through the CLI: real node-vault, loopback Vault, real systemd, the light openclaw stand-in', () => {
  let f: GatewayFixture;
  let vault: FakeVault;
  let token = '';
  let mount = 'secret';
  const cli = (args: string[], input?: string) => rekeyAsync([...args, '--policy', f.policyFile], { ...f.env, VAULT_TOKEN: token }, input);
  const main = () => vault.kv.get(`secret/openclaw/prod${n}/main/anthropic`);

  beforeAll(async () => {
    f = await startGatewayFixture({ allow: [], settleMs: 200, verifyCommand: OPENCLAW_STANDIN });
    // the provider accepts every key here (rekey's pre-delivery and post-delivery probes ask it)
    f.fake.acceptWhen(() => true);
    vault = await startFakeVault();
    await f.installLightUnit();
  });
  afterAll(async () => {
    await vault?.close();
    await f?.close();
  });
  beforeEach(async () => {
    token = `hvs.test-${++n}`;
    vault.addToken(token);
    f.env.REKEY_HOME = join(f.root, `rekey-vault-${n}`);
    f.writePolicy({ backend: `{ kind: vault, address: "${vault.address}", mount: ${mount} }`, ref: `openclaw/{env}${n}/{agent}/{provider}` });
    expect((await cli(['init'])).code).toBe(0);
    f.resetEnvFile(ENV_OLD);
    if (mount !== 'secret') return;
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], OLD)).code).toBe(0);
    const r = await cli(['rotate', 'anthropic']);
    expect(r.code, r.stderr).toBe(0);
    expect(main()!.current).toBe(1);
  });

  test('a full rotation: pending out of consumers\' sight, promoted with cas, previous = the prior KV version', async () => {
    const NEW = fresh();
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], NEW)).code).toBe(0);
    expect(main()!.current).toBe(1); // consumers still read OLD
    const r = await cli(['rotate', 'anthropic', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const { rotationId } = JSON.parse(r.stdout) as { rotationId: string };
    expect(main()!.current).toBe(2);
    expect(main()!.versions.get(2)!.data).toEqual({ value: NEW });
    expect(main()!.custom?.rekey_rotation_id).toBe(rotationId);
    expect(readFileSync(f.envFile, 'utf8')).toBe(`OPENCLAW_LOG_LEVEL=info\nANTHROPIC_API_KEY=${NEW}\n`);
    const st = JSON.parse((await cli(['status', 'anthropic', '--json'])).stdout);
    const stages = st.secrets[0].refs[0].versions.map((v: { versionId: string; stages: string[] }) => `${v.versionId}:${v.stages.join()}`);
    expect(stages).toEqual(['1:previous', '2:current']);
  });

  test('the token expires mid-rotation → clear error, consumers rolled back; with a new token, resume converges', async () => {
    const NEW = fresh();
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], NEW)).code).toBe(0);
    const journalDir = join(f.env.REKEY_HOME!, 'journal');
    const earlier = new Set(existsSync(journalDir) ? readdirSync(journalDir) : []);
    const running = cli(['rotate', 'anthropic']);
    let delivered = false;
    for (let i = 0; i < 1200 && !delivered; i++) {
      delivered = readdirSync(journalDir)
        .filter((x) => !earlier.has(x))
        .some((x) => /"type":"ok"[^\n]*"phase":"deliver"/.test(readFileSync(join(journalDir, x), 'utf8')));
      if (!delivered) await new Promise((r) => setTimeout(r, 25));
    }
    expect(delivered).toBe(true);
    vault.expire(token);
    const r = await running;
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/permission denied \(HTTP 403\)/);
    expect(r.stderr).not.toContain(token);
    expect(readFileSync(f.envFile, 'utf8')).toBe(ENV_OLD);
    expect(main()!.current).toBe(1);
    token = `hvs.renewed-${n}`;
    vault.addToken(token);
    const resumed = await cli(['resume']);
    expect([0, 4, 5], resumed.stderr).toContain(resumed.code);
    const st = JSON.parse((await cli(['status', 'anthropic', '--json'])).stdout);
    expect(st.secrets[0].unfinished).toEqual([]);
    expect(vault.kv.has(`secret/rekey-pending/openclaw/prod${n}/main/anthropic`)).toBe(false);
    expect(main()!.current).toBe(1);
  });

  test('AppRole with a least-privilege policy (no sys/mounts): put and rotate work, and every command revokes the token it obtained', async () => {
    const dir = join(f.root, `approle-${n}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'role-id'), `role-${n}\n`, { mode: 0o600 });
    writeFileSync(join(dir, 'secret-id'), `secret-${n}\n`, { mode: 0o600 });
    vault.approle(`role-${n}`, `secret-${n}`, {
      policy: {
        'secret/data/openclaw/*': ['create', 'read', 'update'],
        'secret/metadata/openclaw/*': ['read', 'update'],
        'secret/data/rekey-pending/openclaw/*': ['create', 'read', 'update'],
        'secret/metadata/rekey-pending/openclaw/*': ['read', 'delete'],
      },
    });
    f.writePolicy({
      backend: `{ kind: vault, address: "${vault.address}", mount: secret, auth: { method: approle, roleIdFile: "${dir}/role-id", secretIdFile: "${dir}/secret-id" } }`,
      ref: `openclaw/{env}${n}/{agent}/{provider}`,
    });
    const before = vault.liveTokens().length;
    const NEW = fresh();
    const p = await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], NEW);
    expect(p.code, p.stderr).toBe(0);
    const r = await cli(['rotate', 'anthropic']);
    expect(r.code, r.stderr).toBe(0);
    expect(main()!.versions.get(main()!.current)!.data).toEqual({ value: NEW });
    expect(vault.calls).not.toContain('GET sys/mounts');
    expect(vault.revoked.length).toBeGreaterThanOrEqual(2);
    expect(vault.liveTokens().length).toBe(before);
  });

  test('a KV v1 mount is refused before anything is written (exit 3)', async () => {
    mount = 'kv1';
    try {
      f.writePolicy({ backend: `{ kind: vault, address: "${vault.address}", mount: kv1 }`, ref: `openclaw/{env}${n}/{agent}/{provider}` });
      const r = await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], fresh());
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/not KV v2: check-and-set would be silently ignored/);
      expect(readFileSync(f.envFile, 'utf8')).toBe(ENV_OLD);
    } finally {
      mount = 'secret';
    }
  });
});
