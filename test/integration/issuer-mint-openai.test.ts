/**
 * A scheduled-style rotation with no human input against the real Gateway under the real user
 * manager, with a key minted upstream: the OpenAI Admin API stand-in (documented subset,
 * test/harness/fake-admin-apis.ts) shares its keys with the OpenAI model API stand-in the Gateway's
 * `openai` provider talks to, so a key it deletes is refused there. `rotate --due` mints the new key,
 * delivers and verifies it with `openclaw models status`, promotes it, and retires (deletes) the
 * old one, which the model API then refuses; the next agent turn sends the minted key.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFakeOpenaiAdmin, type FakeOpenaiAdmin } from '../harness/fake-admin-apis.js';
import { startFakeOpenai, type FakeOpenai } from '../harness/fake-openai.js';
import { startGatewayFixture, UNIT, type GatewayFixture } from '../harness/gateway-fixture.js';
import { OPENCLAW } from '../harness/openclaw.js';
import { rekeyAsync } from '../harness/rekey-cli.js';

const ADMIN = 'sk-admin-mint-' + 'm'.repeat(48);
const FIRST = 'sk-proj-first-' + 'f'.repeat(48);

describe('OpenAI: a due key minted upstream, the old one deleted and refused, real Gateway', () => {
  let f: GatewayFixture;
  let admin: FakeOpenaiAdmin;
  let model: FakeOpenai;
  const cli = (args: string[], input?: string) => rekeyAsync([...args, '--policy', f.policyFile], f.env, input);
  beforeAll(async () => {
    f = await startGatewayFixture({ allow: [] });
    model = await startFakeOpenai();
    admin = await startFakeOpenaiAdmin({ project: 'proj_rekey', serviceAccount: 'svc_acct_rekey', adminKeys: { [ADMIN]: 'admin' }, onChange: (v, on) => (on ? model.allow(v) : model.deny(v)) });
    // the Gateway's default model: openai, at the loopback model API
    const cfgFile = join(f.home, '.openclaw', 'openclaw.json');
    const cfg = JSON.parse(readFileSync(cfgFile, 'utf8'));
    cfg.agents.defaults.model.primary = 'openai/gpt-fake';
    cfg.models.providers.openai = { baseUrl: `${model.url}/v1`, api: 'openai-completions', models: [{ id: 'gpt-fake', name: 'Fake', reasoning: false, input: ['text'], contextWindow: 128000, maxTokens: 1024 }] };
    writeFileSync(cfgFile, JSON.stringify(cfg, null, 2), { mode: 0o600 });
    writeFileSync(
      f.policyFile,
      `version: 1
environments: { prod: {} }
agents: { main: {} }
backends: { local: { kind: local } }
services:
  gateway: { kind: systemd-user, unit: ${UNIT}, settleMs: 1000, startTimeoutMs: 30000 }
issuers:
  openai: { kind: openai-admin, adminKey: { backend: local, ref: rekey/openai-admin }, project: proj_rekey, serviceAccount: svc_acct_rekey, expiresIn: 120d, baseUrl: "${admin.url}" }
secrets:
  openai:
    layer: provider-key
    provider: openai
    envVar: OPENAI_API_KEY
    backend: local
    ref: openclaw/{env}/openai
    maxAge: 1m
    issuer: openai
    retire: { after: 0 }
    deliveries:
      - agent: main
        env: prod
        sink: { kind: systemd-env-file, path: ${f.envFile} }
        service: gateway
        verify: { kind: openclaw-models-status, command: ${JSON.stringify(OPENCLAW)}, timeoutMs: 240000 }
`,
    );
    writeFileSync(f.envFile, '', { mode: 0o600 });
    await f.installGateway();
    await f.waitGatewayReady();
  });
  afterAll(async () => {
    await admin?.close();
    await model?.close();
    await f?.close();
  });

  test('rotate --due: minted, delivered, verified, promoted; the old key deleted upstream and refused; the agent turn sends the minted key', async () => {
    expect((await cli(['init'])).code).toBe(0);
    expect((await cli(['store', 'local', 'rekey/openai-admin', '--stdin'], ADMIN)).code).toBe(0);
    // the key in use today, made in the dashboard
    const firstId = admin.addKey(FIRST);
    expect((await cli(['put', 'openai', '--env', 'prod', '--stdin'], FIRST)).code).toBe(0);
    let r = await cli(['rotate', 'openai']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    r = await cli(['rotate', '--due', '--json']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(JSON.parse(r.stdout).items).toMatchObject([{ secret: 'openai', env: 'prod', outcome: 'rotated' }]);
    const minted = admin.minted.at(-1)!;
    expect(minted).toMatchObject({ expiresInSeconds: 120 * 86400 });
    expect(minted.name).toMatch(/^rekey-/);
    // the old key: deleted upstream, refused by the model API (the retirement's probe said so)
    expect(admin.active.has(FIRST)).toBe(false);
    const audit = JSON.parse((await cli(['audit', 'show', '--json'])).stdout).records as { command: string; outcome: string; minted?: { id: string }[]; retirement?: { probe?: string } }[];
    expect(audit.filter((x) => x.command === 'rotate').at(-1)).toMatchObject({ outcome: 'promoted', minted: [{ id: minted.id }] });
    expect(audit.filter((x) => x.command === 'retire').at(-1)).toMatchObject({ outcome: 'retired', retirement: { probe: 'refused' } });
    expect(firstId).not.toBe(minted.id);
    // the agent's next turn reaches the provider with the minted key (the only active one)
    await f.waitGatewayReady();
    const seen = model.seenKeys.length;
    const turn = await f.agentTurn();
    expect(turn.code, turn.stdout + turn.stderr).toBe(0);
    const sent = model.seenKeys.slice(seen);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((k) => admin.active.has(k) && k !== FIRST)).toBe(true);
    for (const out of [r.stdout, r.stderr, JSON.stringify(audit)]) expect(out).not.toMatch(new RegExp(`${ADMIN}|${FIRST}|${sent[0]}`));
  }, 600_000);
});
