import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { startArgvSampler } from '../harness/argv-sampler.js';
import { revertingShadowLines, startGatewayFixture, UNIT, type GatewayFixture } from '../harness/gateway-fixture.js';
import { runOpenclawAsync } from '../harness/openclaw.js';
import { rekeyAsync } from '../harness/rekey-cli.js';

const OLD = 'sk-ant-old-0000000000000000000000000000000000aaaa';
const ENV_TEXT = `# ops managed\r\nOPENCLAW_LOG_LEVEL=info\nANTHROPIC_API_KEY=${OLD}\n`;
let n = 0;
/** a fresh new key per test, so every rotation really changes something */
const fresh = (tag = 'new') => `sk-ant-${tag}-${String(++n).padStart(4, '0')}${'x'.repeat(30)}${tag.slice(0, 4)}`;

describe('rotation scenarios against the real systemd user manager and the real openclaw CLI', () => {
  let f: GatewayFixture;
  const cli = (args: string[], input?: string) => rekeyAsync([...args, '--policy', f.policyFile], f.env, input);

  beforeAll(async () => {
    f = await startGatewayFixture({ allow: [], settleMs: 300 });
  });
  afterAll(async () => {
    await f?.close();
  });
  beforeEach(async () => {
    // every test starts from the same deployment: OLD delivered and current in a fresh rekey home
    f.env.REKEY_HOME = join(f.root, `rekey-${++n}`);
    expect((await cli(['init'])).code).toBe(0);
    writeFileSync(f.envFile, ENV_TEXT, { mode: 0o600 });
    f.writePolicy();
    await f.installLightUnit();
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], OLD)).code).toBe(0);
    const r = await cli(['rotate', 'anthropic']);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(f.envFile, 'utf8')).toBe(ENV_TEXT);
  });

  test('verification fails (at start the unit puts the old key back in a later EnvironmentFile=) → restored byte for byte, restarted, old verified, exit 5', async () => {
    await f.installLightUnit(revertingShadowLines(f.home, f.envFile, OLD));
    const pid0 = f.um.mainPid(UNIT);
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], fresh())).code).toBe(0);
    const r = await cli(['rotate', 'anthropic']);
    expect(r.code, r.stderr).toBe(5);
    expect(r.stdout + r.stderr).toMatch(/not the one rekey delivered/);
    expect(r.stderr).toMatch(/✓ restart-old openclaw-gateway.service/);
    expect(r.stderr).toMatch(/✓ verify-old anthropic\/prod\/main#0: old credential sk-a…aaaa/);
    expect(readFileSync(f.envFile, 'utf8')).toBe(ENV_TEXT);
    expect(statSync(f.envFile).mode & 0o777).toBe(0o600);
    expect(f.um.mainPid(UNIT)).not.toBe(pid0);
    const s = JSON.parse((await cli(['status', 'anthropic', '--json'])).stdout);
    expect(s.secrets[0].refs[0].versions.map((v: { stages: string[] }) => v.stages.join())).not.toContain('pending');
    expect(s.secrets[0].last.outcome).toBe('rolled-back');
  });

  test('the unit fails to start with the new key → rollback, old verified, exit 5', async () => {
    const bad = fresh('bad');
    // the service refuses to start with this key (the shell reads it from its environment, not argv)
    await f.installLightUnit(`ExecStartPre=/bin/sh -c 'test "$$ANTHROPIC_API_KEY" != "$$BREAKS_WITH"'\nEnvironment=BREAKS_WITH=${bad}`);
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], bad)).code).toBe(0);
    const r = await cli(['rotate', 'anthropic']);
    expect(r.code, r.stderr).toBe(5);
    expect(r.stderr).toMatch(/✗ restart openclaw-gateway.service/);
    expect(readFileSync(f.envFile, 'utf8')).toBe(ENV_TEXT);
    expect(f.um.show(UNIT, 'ActiveState')).toBe('active');
  });

  test('a unit that does not read the file is refused before anything is written, exit 3', async () => {
    writeFileSync(f.policyFile, readFileSync(f.policyFile, 'utf8').replace(f.envFile, join(f.home, '.openclaw', '.env')));
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], fresh())).code).toBe(0);
    const r = await cli(['rotate', 'anthropic']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/does not read .*\.openclaw\/\.env/);
    expect(r.stderr).toMatch(/the unit reads: .*gateway.systemd.env/);
    expect(readdirSync(join(f.home, '.openclaw'))).not.toContain('.env');
  });

  test('a stored auth profile shadowing the env key → refused before anything is written, with the diagnosis, exit 3', async () => {
    const stale = 'sk-ant-stale-stored-profile-zzzzzzzzzzzzzzzz';
    const paste = await runOpenclawAsync(['models', 'auth', 'paste-api-key', '--provider', 'anthropic', '--profile-id', 'anthropic:stale'], { HOME: f.home }, stale);
    expect(paste.code, paste.stderr).toBe(0);
    try {
      expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], fresh())).code).toBe(0);
      const pid0 = f.um.mainPid(UNIT);
      const r = await cli(['rotate', 'anthropic']);
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toMatch(/profile main\/anthropic:stale comes first for anthropic \(OpenClaw prefers stored profiles/);
      expect(f.um.mainPid(UNIT)).toBe(pid0);
      const plan = await cli(['plan', 'anthropic']);
      expect(plan.stdout).toMatch(/SHADOWED: profile main\/anthropic:stale wins/);
      const status = JSON.parse((await cli(['status', 'anthropic', '--json'])).stdout);
      expect(status.sources[0].sources.map((x: { kind: string; owned: boolean; wins: boolean }) => [x.kind, x.owned, x.wins])).toEqual([
        ['profile', false, true],
        ['process-env', true, false],
      ]);
      expect(readFileSync(f.envFile, 'utf8')).toBe(ENV_TEXT);
    } finally {
      await runOpenclawAsync(['models', 'auth', 'logout', 'anthropic:stale', '--yes'], { HOME: f.home });
    }
  });

  test('two concurrent rotations: exactly one proceeds, the other exits 3', async () => {
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], fresh())).code).toBe(0);
    const [a, b] = await Promise.all([rekeyAsync(['rotate', 'anthropic', '--policy', f.policyFile], f.env), rekeyAsync(['rotate', 'anthropic', '--policy', f.policyFile], f.env)]);
    const codes = [a.code, b.code].sort();
    expect(codes, a.stderr + b.stderr).toEqual([0, 3]);
    const loser = a.code === 3 ? a : b;
    expect(loser.stderr).toMatch(/locked by rotate|being locked by another rekey process|did not finish/);
  });

  test('a canary secret never appears in stdout, stderr, logs, journal, audit or any argv', async () => {
    const canary = `sk-ant-CANARY-${Date.now()}-qqqqqqqqqqqqqqqqqqqqqq`;
    const sampler = startArgvSampler([canary, 'CANARY']);
    const outputs: string[] = [];
    const run = async (args: string[], input?: string) => {
      const r = await rekeyAsync([...args, '--policy', f.policyFile, '--log-level', 'debug'], f.env, input);
      outputs.push(r.stdout, r.stderr);
      return r;
    };
    expect((await run(['put', 'anthropic', '--env', 'prod', '--stdin'], canary)).code).toBe(0);
    expect((await run(['plan', 'anthropic'])).code).toBe(0);
    expect((await run(['rotate', 'anthropic', '--dry-run'])).code).toBe(0);
    expect((await run(['rotate', 'anthropic', '--json'])).code).toBe(0);
    expect((await run(['status', 'anthropic'])).code).toBe(0);
    // and through a failure + rollback: the canary is now the old value
    await f.installLightUnit(revertingShadowLines(f.home, f.envFile, canary));
    expect((await run(['put', 'anthropic', '--env', 'prod', '--stdin'], fresh())).code).toBe(0);
    expect((await run(['rotate', 'anthropic'])).code).toBe(5);
    const { hits, samples } = sampler.stop();
    expect(samples).toBeGreaterThan(10);
    expect(hits).toEqual([]);
    for (const o of outputs) expect(o).not.toContain(canary);
    expect(outputs.join('')).toMatch(/sk-a…qqqq#/); // the fingerprint is there instead
    const files: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) e.isDirectory() ? walk(join(d, e.name)) : files.push(join(d, e.name));
    };
    walk(f.env.REKEY_HOME!);
    expect(files.some((p) => p.endsWith('audit.jsonl'))).toBe(true);
    expect(files.some((p) => p.includes('journal'))).toBe(true);
    for (const p of files) expect(readFileSync(p, 'utf8'), p).not.toContain(canary);
  });
});
