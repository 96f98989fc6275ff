import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startGatewayFixture, UNIT, type GatewayFixture } from '../harness/gateway-fixture.js';
import { OPENCLAW } from '../harness/openclaw.js';
import { rekeyAsync } from '../harness/rekey-cli.js';
import { anthropicPolicy } from '../harness/light-policy.js';

const ONE = 'sk-ant-ref-one-00000000000000000000000000000001';
const TWO = 'sk-ant-ref-two-00000000000000000000000000000002';

describe('zero-restart rotation through an OpenClaw file SecretRef + `secrets reload` (real Gateway under systemd)', () => {
  let f: GatewayFixture;
  let secretsFile = '';
  const cli = (args: string[], input?: string) => rekeyAsync([...args, '--policy', f.policyFile], f.env, input);

  let configPath = '';
  beforeAll(async () => {
    f = await startGatewayFixture({ allow: [ONE, TWO] });
    secretsFile = join(f.home, '.openclaw', 'rekey-secrets.json');
    // the starting point operators have: the key in plaintext in openclaw.json
    configPath = join(f.home, '.openclaw', 'openclaw.json');
    const config = JSON.parse(readFileSync(configPath, 'utf8'));
    config.models.providers.anthropic.apiKey = ONE;
    writeFileSync(configPath, JSON.stringify(config, null, 2), { mode: 0o600 });
    writeFileSync(f.envFile, '', { mode: 0o600 });
    writeFileSync(
      f.policyFile,
      anthropicPolicy({ deliveries: `      - agent: main
        env: prod
        sink: { kind: openclaw-secretref-file, path: "${secretsFile}", pointer: /providers/anthropic/apiKey, command: ${JSON.stringify(OPENCLAW)}, timeoutMs: 240000 }
        service: null
        verify: { kind: openclaw-secrets-audit, command: ${JSON.stringify(OPENCLAW)} }` }),
    );
    await f.installGateway();
    await f.waitGatewayReady();
  });
  afterAll(async () => {
    await f?.close();
  });

  test('rekey openclaw adopt: --dry-run changes nothing; then the key moves to the SecretRef file and the plaintext backup is reported', async () => {
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], ONE)).code).toBe(0);
    const before = readFileSync(configPath, 'utf8');
    let r = await cli(['openclaw', 'adopt', 'anthropic', '--dry-run', '--json']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const dry = JSON.parse(r.stdout);
    expect(dry.steps[0].plan.targets[0]).toMatchObject({ path: 'models.providers.anthropic.apiKey', ref: { source: 'file', provider: 'rekey', id: '/providers/anthropic/apiKey' } });
    expect(readFileSync(configPath, 'utf8')).toBe(before);
    expect(existsSync(secretsFile)).toBe(false);

    // killed right after it wrote the SecretRef file (3rd journal record), before OpenClaw's config
    const killed = await rekeyAsync(['openclaw', 'adopt', 'anthropic', '--policy', f.policyFile], { ...f.env, REKEY_CRASH_AFTER: '3' });
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    expect(existsSync(secretsFile)).toBe(true);
    expect(readFileSync(configPath, 'utf8')).toBe(before);
    expect((await cli(['status', 'anthropic'])).stdout).toMatch(/UNFINISHED: adopt-\S+ — run `rekey resume`/);
    expect((await cli(['rotate', 'anthropic'])).code).toBe(3);
    // resume runs it again on the journaled plan
    r = await cli(['resume']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/adopt adopt-\S+ of anthropic was interrupted; resumed and finished/);
    expect(r.stdout).toMatch(/✓ anthropic\/prod\/main#0: .*from the SecretRef/);
    expect((await cli(['status', 'anthropic'])).stdout).not.toMatch(/UNFINISHED/);
    expect(JSON.parse(readFileSync(configPath, 'utf8')).models.providers.anthropic.apiKey).toEqual({ source: 'file', provider: 'rekey', id: '/providers/anthropic/apiKey' });
    expect(readFileSync(configPath, 'utf8')).not.toContain(ONE);
    // OpenClaw kept the old config, plaintext key included: reported by path and fingerprint only
    expect(r.stdout).toMatch(/residue: .*openclaw\.json\.bak holds a plaintext copy sk-a…0001/);
    expect(r.stdout).not.toContain(ONE);
    // adopt wrote a sink and OpenClaw's config: it left an audit record (fingerprints only)
    const audit = readFileSync(join(f.env.REKEY_HOME!, 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(audit.at(-1)).toMatchObject({ command: 'resume', outcome: 'adopted', exitCode: 0, secret: 'anthropic' });
    expect(audit.at(-1).rotationId).toMatch(/^adopt-/);
    expect(JSON.stringify(audit)).not.toContain(ONE);
    const turn = await f.agentTurn();
    expect(turn.code, turn.stdout + turn.stderr).toBe(0);
    expect(f.fake.seenKeys.at(-1)).toBe(ONE);
  });

  test('the live Gateway switches to the new key without a restart (same PID)', async () => {
    const turn1 = await f.agentTurn();
    expect(turn1.code, turn1.stdout + turn1.stderr).toBe(0);
    expect(f.fake.seenKeys.at(-1)).toBe(ONE);

    const pid = f.um.mainPid(UNIT);
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], TWO)).code).toBe(0);
    const plan = await cli(['plan', 'anthropic']);
    expect(plan.stdout).toMatch(/restart order: —/);
    const r = await cli(['rotate', 'anthropic', '--scrub']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/✓ deliver anthropic\/prod\/main#0: wrote/);
    // --scrub: the backups holding the old key are gone; no file under the state dir holds it
    expect(r.stdout).toMatch(/residue: .*openclaw\.json\.bak held the old value sk-a…0001.*: removed/);
    const stateFiles = readdirSync(join(f.home, '.openclaw'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    for (const e of stateFiles) expect(readFileSync(join(e.parentPath, e.name)).includes(ONE), join(e.parentPath, e.name)).toBe(false);
    expect(r.stderr).not.toMatch(/✓ restart/);
    expect(r.stderr).toMatch(/✓ verify .*from the SecretRef/);
    expect(f.um.mainPid(UNIT)).toBe(pid);
    expect(statSync(secretsFile).mode & 0o777).toBe(0o600);

    f.fake.deny(ONE);
    const seen = f.fake.seenKeys.length;
    const turn2 = await f.agentTurn();
    expect(turn2.code, turn2.stdout + turn2.stderr).toBe(0);
    const after = f.fake.seenKeys.slice(seen);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((k) => k === TWO)).toBe(true);
    expect(f.um.mainPid(UNIT)).toBe(pid);
  });
});
