import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startGatewayFixture, UNIT, type GatewayFixture } from '../harness/gateway-fixture.js';
import { OPENCLAW } from '../harness/openclaw.js';
import { rekeyAsync } from '../harness/rekey-cli.js';

const ONE = 'sk-ant-ref-one-00000000000000000000000000000001';
const TWO = 'sk-ant-ref-two-00000000000000000000000000000002';

describe('zero-restart rotation through an OpenClaw file SecretRef + `secrets reload` (real Gateway under systemd)', () => {
  let f: GatewayFixture;
  let secretsFile = '';
  const cli = (args: string[], input?: string) => rekeyAsync([...args, '--policy', f.policyFile], f.env, input);

  beforeAll(async () => {
    f = await startGatewayFixture({ allow: [ONE, TWO] });
    secretsFile = join(f.home, '.openclaw', 'rekey-secrets.json');
    writeFileSync(secretsFile, JSON.stringify({ providers: { anthropic: { apiKey: ONE } } }), { mode: 0o600 });
    // the provider's key is a file SecretRef into rekey's file
    const configPath = join(f.home, '.openclaw', 'openclaw.json');
    const config = JSON.parse(readFileSync(configPath, 'utf8'));
    config.secrets = { providers: { rekey: { source: 'file', path: secretsFile, mode: 'json' } } };
    config.models.providers.anthropic.apiKey = { source: 'file', provider: 'rekey', id: '/providers/anthropic/apiKey' };
    writeFileSync(configPath, JSON.stringify(config, null, 2), { mode: 0o600 });
    writeFileSync(f.envFile, '', { mode: 0o600 });
    writeFileSync(
      f.policyFile,
      `version: 1
environments: { prod: {} }
agents: { main: {} }
backends: { local: { kind: local } }
secrets:
  anthropic:
    layer: provider-key
    provider: anthropic
    envVar: ANTHROPIC_API_KEY
    backend: local
    ref: openclaw/{env}/anthropic
    deliveries:
      - agent: main
        env: prod
        sink: { kind: openclaw-secretref-file, path: "${secretsFile}", pointer: /providers/anthropic/apiKey, command: ${JSON.stringify(OPENCLAW)} }
        service: null
        verify: { kind: openclaw-secrets-audit, command: ${JSON.stringify(OPENCLAW)} }
`,
    );
    await f.installGateway();
    await f.waitGatewayReady();
  });
  afterAll(async () => {
    await f?.close();
  });

  test('the live Gateway switches to the new key without a restart (same PID)', async () => {
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], ONE)).code).toBe(0);
    let r = await cli(['rotate', 'anthropic']);
    expect(r.code, r.stderr).toBe(0);
    const turn1 = await f.agentTurn();
    expect(turn1.code, turn1.stdout + turn1.stderr).toBe(0);
    expect(f.fake.seenKeys.at(-1)).toBe(ONE);

    const pid = f.um.mainPid(UNIT);
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], TWO)).code).toBe(0);
    const plan = await cli(['plan', 'anthropic']);
    expect(plan.stdout).toMatch(/restart order: —/);
    r = await cli(['rotate', 'anthropic']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/✓ deliver anthropic\/prod\/main#0: wrote/);
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
