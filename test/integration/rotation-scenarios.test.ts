import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { startArgvSampler } from '../harness/argv-sampler.js';
import { revertingShadowLines, startGatewayFixture, UNIT, type GatewayFixture } from '../harness/gateway-fixture.js';
import { OPENCLAW, OPENCLAW_STANDIN, runOpenclawAsync } from '../harness/openclaw.js';
import { rekeyAsync } from '../harness/rekey-cli.js';

const OLD = 'sk-ant-old-0000000000000000000000000000000000aaaa';
const ENV_TEXT = `# ops managed\r\nOPENCLAW_LOG_LEVEL=info\nANTHROPIC_API_KEY=${OLD}\n`;
let n = 0;
/** a fresh new key per test, so every rotation really changes something */
const fresh = (tag = 'new') => `sk-ant-${tag}-${String(++n).padStart(4, '0')}${'x'.repeat(30)}${tag.slice(0, 4)}`;

describe('rotation scenarios against the real systemd user manager (the real openclaw CLI where it is the subject)', () => {
  let f: GatewayFixture;
  const cli = (args: string[], input?: string) => rekeyAsync([...args, '--policy', f.policyFile], f.env, input);

  beforeAll(async () => {
    // the light openclaw stand-in by default (the subject is rekey's rollback on real systemd);
    // the real CLI where its own behaviour is the point (its view after a rollback, stored profiles)
    f = await startGatewayFixture({ allow: [], settleMs: 300, verifyCommand: OPENCLAW_STANDIN });
    // the provider accepts every key here (rekey's pre-delivery and post-delivery probes ask it)
    f.fake.acceptWhen(() => true);
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
    f.writePolicy({ verifyCommand: OPENCLAW });
    await f.installLightUnit(revertingShadowLines(f.home, f.envFile, OLD));
    const pid0 = f.um.mainPid(UNIT);
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], fresh())).code).toBe(0);
    const r = await cli(['rotate', 'anthropic']);
    expect(r.code, r.stderr).toBe(5);
    // the running process (its /proc environment) still holds the old key
    expect(r.stdout + r.stderr).toMatch(/the running process of openclaw-gateway.service \(pid \d+\) holds ANTHROPIC_API_KEY = sk-a…aaaa#\w+, not sk-a…/);
    expect(r.stderr).toMatch(/✓ restart-old openclaw-gateway.service/);
    expect(r.stderr).toMatch(/✓ verify-old anthropic\/prod\/main#0: old credential sk-a…aaaa/);
    expect(readFileSync(f.envFile, 'utf8')).toBe(ENV_TEXT);
    expect(statSync(f.envFile).mode & 0o777).toBe(0o600);
    expect(f.um.mainPid(UNIT)).not.toBe(pid0);
    const s = JSON.parse((await cli(['status', 'anthropic', '--json'])).stdout);
    expect(s.secrets[0].refs[0].versions.map((v: { stages: string[] }) => v.stages.join())).not.toContain('pending');
    expect(s.secrets[0].last.outcome).toBe('rolled-back');
  });

  test('systemd reads the file differently (a continuation on the line before the key): refused before anything is written, naming the line, exit 3', async () => {
    const tricky = `NOTE=see docs \\\nANTHROPIC_API_KEY=${OLD}\n`;
    writeFileSync(f.envFile, tricky, { mode: 0o600 });
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], fresh())).code).toBe(0);
    const r = await cli(['rotate', 'anthropic']);
    expect(r.code, r.stderr + r.stdout).toBe(3);
    expect(r.stderr).toMatch(/gateway\.systemd\.env line 2: this line looks like an assignment of ANTHROPIC_API_KEY, but systemd reads it as part of the line before/);
    expect(readFileSync(f.envFile, 'utf8')).toBe(tricky);
  });

  test('the running process holds another value than its files say (its start command pins it): not verified, rolled back, exit 5', async () => {
    // what the files say and what the process holds differ; only /proc/<MainPID>/environ tells
    f.um.writeUnit(UNIT, `[Unit]\nStartLimitIntervalSec=0\n[Service]\nEnvironment=HOME=${f.home} PINNED=${OLD}\nEnvironmentFile=-${f.envFile}\nExecStart=/bin/sh -c 'ANTHROPIC_API_KEY=$$PINNED exec sleep infinity'\n`);
    expect(f.um.systemctl('restart', UNIT).code).toBe(0);
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], fresh())).code).toBe(0);
    const r = await cli(['rotate', 'anthropic']);
    expect(r.code, r.stderr + r.stdout).toBe(5);
    expect(r.stderr).toMatch(/holds ANTHROPIC_API_KEY = sk-a…aaaa#\w+, not sk-a…/);
    expect(readFileSync(f.envFile, 'utf8')).toBe(ENV_TEXT);
  });

  test('a key the provider refuses: refused before anything is written (exit 3), its error code and fingerprint named', async () => {
    const rejected = fresh('rej');
    f.fake.deny(rejected);
    const pid0 = f.um.mainPid(UNIT);
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], rejected)).code).toBe(0);
    const dry = await cli(['rotate', 'anthropic', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(3);
    const r = await cli(['rotate', 'anthropic']);
    expect(r.code, r.stderr + r.stdout).toBe(3);
    expect(r.stderr).toMatch(/anthropic refuses the new key for openclaw\/prod\/anthropic \(sk-a…\w*rej#\w+\): refused: HTTP 401 authentication_error from http:\/\/127\.0\.0\.1:\d+\/v1\/models/);
    expect(r.stderr + r.stdout).not.toContain(rejected);
    expect(readFileSync(f.envFile, 'utf8')).toBe(ENV_TEXT);
    expect(f.um.mainPid(UNIT)).toBe(pid0);
    // the probe carried the key in a header, never in the URL
    expect(f.fake.listedKeys).toContain(rejected);
    // plan and status show the last probe of the ref (from the audit log)
    const st = JSON.parse((await cli(['status', 'anthropic', '--json', '--skip-sources'])).stdout);
    expect(st.secrets[0].refs[0].lastProbe).toMatchObject({ ref: 'openclaw/prod/anthropic', result: 'refused', provider: 'anthropic' });
    expect(st.secrets[0].refs[0].lastProbe.fingerprint).toMatch(/rej#/);
    expect((await cli(['plan', 'anthropic', '--skip-sources'])).stdout).toMatch(/last probe of openclaw\/prod\/anthropic: sk-a…\w*rej#\w+ refused at /);
    const audit = readFileSync(join(f.env.REKEY_HOME!, 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(audit.at(-1)).toMatchObject({ command: 'rotate', outcome: 'refused', exitCode: 3, failure: { code: 'PROVIDER_REFUSED_KEY' } });
  });

  test('a key accepted before delivery but revoked before verification: the consumer\'s key is refused upstream → rolled back, exit 5', async () => {
    const key = fresh('rev');
    // the provider accepts its first listing (rekey's pre-delivery probe), then revokes it
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], key)).code).toBe(0);
    f.fake.revokeAfterListings(key, 1);
    const r = await cli(['rotate', 'anthropic']);
    expect(r.code, r.stderr + r.stdout).toBe(5);
    expect(r.stderr).toMatch(/anthropic refuses the key the consumer holds \(sk-a…\w*rev#\w+\): HTTP 401/);
    expect(r.stderr).toMatch(/✓ verify-old/);
    expect(readFileSync(f.envFile, 'utf8')).toBe(ENV_TEXT);
  });

  test('429s are retried with backoff, then the rotation goes on; an outage under probe: required refuses (exit 3)', async () => {
    f.fake.rateLimit(2);
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], fresh())).code).toBe(0);
    const ok = await cli(['rotate', 'anthropic', '--log-level', 'debug']);
    expect(ok.code, ok.stderr + ok.stdout).toBe(0);
    expect(ok.stderr).toMatch(/accepted by the provider/);
    // debug logs follow the rotation step by step, and name the secret (never its value)
    expect(ok.stderr).toMatch(/"secret":"anthropic"[^\n]*"msg":"step ok"/);
    f.fake.outage(100);
    try {
      expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], fresh())).code).toBe(0);
      const down = await cli(['rotate', 'anthropic']);
      expect(down.code, down.stderr + down.stdout).toBe(3);
      expect(down.stderr).toMatch(/cannot ask anthropic whether it accepts the new key .*HTTP 529 overloaded_error after 4 attempts/);
    } finally {
      f.fake.outage(0);
    }
  });

  test('a consumer that dies 3 s after starting with the new key (after the restart settled): not verified, rolled back, exit 5', async () => {
    const fatal = fresh('die');
    f.um.writeUnit(UNIT, `[Unit]\nStartLimitIntervalSec=0\n[Service]\nEnvironment=HOME=${f.home} DIES_WITH=${fatal}\nEnvironmentFile=-${f.envFile}\nExecStart=/bin/sh -c 'if [ "$$ANTHROPIC_API_KEY" = "$$DIES_WITH" ]; then sleep 3; exit 1; fi; exec sleep infinity'\n`);
    expect(f.um.systemctl('restart', UNIT).code).toBe(0);
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], fatal)).code).toBe(0);
    const r = await cli(['rotate', 'anthropic']);
    expect(r.code, r.stderr + r.stdout).toBe(5);
    expect(r.stderr).toMatch(/user unit openclaw-gateway.service is no longer running \(its process \d+ exited within 5000 ms of its start\)/);
    expect(readFileSync(f.envFile, 'utf8')).toBe(ENV_TEXT);
    expect(f.um.show(UNIT, 'ActiveState')).toBe('active');
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
    f.writePolicy({ verifyCommand: OPENCLAW });
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
