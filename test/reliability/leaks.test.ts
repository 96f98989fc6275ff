/**
 * No leaks: a canary secret goes through full rotations, a rollback, a crash + resume and error
 * paths, on the local, AWS and Vault backends, and an admin key (stored, sent to the Admin API
 * stand-in) and a standby key (pooled, listed, drawn) on the local one, CI leases (minted per
 * runner, stored in Vault, read back by `ci exec`, revoked), with DEBUG=* set (node-vault's debug output would
 * print written data). The verifier is the light openclaw stand-in (the subject is rekey's own
 * output; the real CLI is exercised by the integration tests). It must never appear in stdout, stderr (pino logs included), the journal,
 * the audit log, snapshots, error messages, or any process's argv (/proc/PID/cmdline sampled).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startArgvSampler } from '../harness/argv-sampler.js';
import { startFakeAnthropicAdmin, startFakeOpenaiAdmin } from '../harness/fake-admin-apis.js';
import { record } from '../harness/figures.js';
import { startFakeSecretsManager, type FakeSecretsManager } from '../harness/fake-secrets-manager.js';
import { startFakeVault, type FakeVault } from '../harness/fake-vault.js';
import { OPENCLAW_STANDIN } from '../harness/openclaw.js';
import { revertingShadowLines, startGatewayFixture, UNIT, type GatewayFixture } from '../harness/gateway-fixture.js';
import { rekeyAsync } from '../harness/rekey-cli.js';

const stamp = Date.now();
const canary = (tag: string) => `sk-ant-CANARY${tag}-${stamp}-${'q'.repeat(24)}`;

describe('no leaks', () => {
  let f: GatewayFixture;
  let aws: FakeSecretsManager;
  let vault: FakeVault;
  beforeAll(async () => {
    f = await startGatewayFixture({ allow: [], settleMs: 200, verifyCommand: OPENCLAW_STANDIN });
    // the provider accepts every key here (rekey's pre-delivery and post-delivery probes ask it)
    f.fake.acceptWhen(() => true);
    aws = await startFakeSecretsManager();
    vault = await startFakeVault();
    vault.addToken('hvs.leaks');
    Object.assign(f.env, { AWS_ACCESS_KEY_ID: 'AKIDREKEYTEST000000', AWS_SECRET_ACCESS_KEY: 'test-secret-access-key', AWS_EC2_METADATA_DISABLED: 'true', VAULT_TOKEN: 'hvs.leaks', DEBUG: '*' });
  });
  afterAll(async () => {
    await aws?.close();
    await vault?.close();
    await f?.close();
  });

  test('a canary never appears anywhere, on every backend and every path', async () => {
    const canaries = ['L1', 'L2', 'A1', 'A2', 'V1', 'V2'].map(canary);
    const sampler = startArgvSampler([...canaries, 'CANARY']);
    const outputs: string[] = [];
    const run = async (args: string[], input?: string, extra: Record<string, string> = {}) => {
      const dd = args.indexOf('--');
      const own = ['--policy', f.policyFile, '--log-level', 'trace'];
      const r = await rekeyAsync(dd < 0 ? [...args, ...own] : [...args.slice(0, dd), ...own, ...args.slice(dd)], { ...f.env, ...extra }, input);
      outputs.push(r.stdout, r.stderr);
      return r;
    };
    const homes: string[] = [];
    const backends: [string, string][] = [
      ['local', '{ kind: local }'],
      ['aws', `{ kind: aws-secrets-manager, region: us-east-1, endpoint: "${aws.endpoint}" }`],
      ['vault', `{ kind: vault, address: "${vault.address}" }`],
    ];
    let i = 0;
    for (const [name, yaml] of backends) {
      const [first, second] = [canaries[i++]!, canaries[i++]!];
      f.env.REKEY_HOME = join(f.root, `rekey-leaks-${name}`);
      homes.push(f.env.REKEY_HOME);
      f.writePolicy({ backend: yaml, ref: `openclaw/{env}/leaks-${name}/{provider}` });
      writeFileSync(f.envFile, `ANTHROPIC_API_KEY=${first}\n`, { mode: 0o600 });
      await f.installLightUnit();
      expect((await run(['init'])).code).toBe(0);
      // adopt, then a full rotation to the second canary
      expect((await run(['put', 'anthropic', '--env', 'prod', '--stdin'], first)).code).toBe(0);
      expect((await run(['rotate', 'anthropic'])).code).toBe(0);
      expect((await run(['put', 'anthropic', '--env', 'prod', '--stdin'], second)).code).toBe(0);
      expect((await run(['plan', 'anthropic', '--json'])).code).toBe(0);
      expect((await run(['rotate', 'anthropic', '--dry-run', '--json'])).code).toBe(0);
      expect((await run(['rotate', 'anthropic'])).code).toBe(0);
      expect((await run(['status', '--json'])).code).toBe(0);
      // doctor reports what consumers hold, by fingerprint only (its exit code: whatever it finds)
      expect([0, 1, 2]).toContain((await run(['doctor', '--json'])).code);
      // a rollback: at start the unit puts the second canary back in a later EnvironmentFile=, so the next key never verifies
      await f.installLightUnit(revertingShadowLines(f.root, f.envFile, second));
      expect((await run(['put', 'anthropic', '--env', 'prod', '--stdin'], `sk-ant-third-${name}-${'t'.repeat(30)}`)).code).toBe(0);
      expect((await run(['rotate', 'anthropic'])).code).toBe(5);
      // doctor after the rollback, text report (whatever it finds, by fingerprint only)
      expect([0, 1, 2]).toContain((await run(['doctor'])).code);
      // a crash in the middle, then resume
      expect((await run(['put', 'anthropic', '--env', 'prod', '--stdin'], `sk-ant-fourth-${name}-${'f'.repeat(30)}`)).code).toBe(0);
      const crashed = await run(['rotate', 'anthropic'], undefined, { REKEY_CRASH_AFTER: '9' });
      expect(crashed.signal).toBe('SIGKILL');
      expect([0, 5]).toContain((await run(['resume'])).code);
    }
    // error paths: a value refused at put, an expired Vault token
    expect((await run(['put', 'anthropic', '--env', 'prod', '--stdin'], `${canaries[0]}\nsecond-line`)).code).toBe(2);
    vault.expire('hvs.leaks');
    expect((await run(['status', 'anthropic'])).code).toBe(4);
    vault.addToken('hvs.leaks');
    // admin keys and the standby pool: an admin key stored through `rekey store` and sent to the
    // Admin API (DEBUG=* set), a standby put, listed and drawn, the old key retired upstream
    const [adminKey, viaIssuer, pooled] = ['AD', 'I1', 'S1'].map((t) => (t === 'AD' ? `sk-ant-admin01-CANARYAD-${stamp}-${'q'.repeat(24)}` : canary(t))) as [string, string, string];
    canaries.push(adminKey, viaIssuer, pooled);
    const admin = await startFakeAnthropicAdmin({ adminKeys: { [adminKey]: 'admin' } });
    try {
      const oldId = admin.addKey(viaIssuer);
      admin.addKey(pooled);
      f.env.REKEY_HOME = join(f.root, 'rekey-leaks-issuer');
      homes.push(f.env.REKEY_HOME);
      f.writePolicy({ backend: '{ kind: local }', ref: 'openclaw/{env}/leaks-issuer/{provider}' });
      const text = readFileSync(f.policyFile, 'utf8').replace('    maxAge: 90d\n', '    maxAge: 90d\n    issuer: anthropic\n    retire: { after: 0 }\n');
      writeFileSync(f.policyFile, `${text}issuers:\n  anthropic: { kind: anthropic-admin, adminKey: { backend: local, ref: rekey/anthropic-admin }, baseUrl: "${admin.url}" }\n`);
      writeFileSync(f.envFile, '', { mode: 0o600 });
      await f.installLightUnit();
      expect((await run(['init'])).code).toBe(0);
      expect((await run(['store', 'local', 'rekey/anthropic-admin', '--stdin'], adminKey)).code).toBe(0);
      expect((await run(['put', 'anthropic', '--env', 'prod', '--stdin'], viaIssuer)).code).toBe(0);
      expect((await run(['rotate', 'anthropic'])).code).toBe(0);
      expect((await run(['put', 'anthropic', '--env', 'prod', '--standby', '--stdin'], pooled)).code).toBe(0);
      expect((await run(['status', 'anthropic', '--json'])).code).toBe(0);
      expect((await run(['rotate', 'anthropic', '--dry-run'])).code).toBe(0);
      const drawn = await run(['rotate', 'anthropic', '--json']);
      expect(drawn.code, drawn.stderr).toBe(0);
      // set inactive at the Admin API (this model API stand-in accepts every key, so the probe
      // cannot confirm the refusal: the retirement is reported failed, the subject here is leaks)
      expect(JSON.parse(drawn.stdout).standby).toMatchObject([{ left: 0 }]);
      expect(admin.status(oldId)).toBe('inactive');
      expect((await run(['audit', 'show', '--json'])).code).toBe(0);
    } finally {
      await admin.close();
    }

    // NODE_DEBUG for network modules would print traffic: refused before anything runs
    // every pattern, wildcards included (Node matches them case-insensitively)
    for (const pattern of ['http,tls', '*', 'ht*', 'h*p', 'HTTP*', 'net,http,https,tls']) {
      const nodeDebug = await run(['status', 'anthropic'], undefined, { NODE_DEBUG: pattern });
      expect(nodeDebug.code, pattern).toBe(2);
      expect(nodeDebug.stderr).toContain(`NODE_DEBUG=${pattern} would print network traffic`);
    }
    // DEBUG (the debug package of axios/follow-redirects) is dropped before any network module loads
    const withDebug = await run(['status', 'anthropic'], undefined, { DEBUG: '*' });
    expect(withDebug.code).toBe(0);
    expect(withDebug.stderr).toMatch(/DEBUG ignored/);
    // CI leases: keys minted per runner at the OpenAI Admin API stand-in (its admin key a canary),
    // stored in Vault under each runner's path, read back by `ci exec`, ended by revoke and reap
    const oaiAdmin = `sk-admin-CANARYOA-${stamp}-${'q'.repeat(24)}`;
    canaries.push(oaiAdmin);
    const oai = await startFakeOpenaiAdmin({ project: 'proj_leaks', serviceAccount: 'svc_acct_leaks', adminKeys: { [oaiAdmin]: 'admin' } });
    try {
      f.env.REKEY_HOME = join(f.root, 'rekey-leaks-ci');
      homes.push(f.env.REKEY_HOME);
      writeFileSync(
        f.policyFile,
        `version: 1
environments: { prod: {} }
agents: { main: {} }
backends:
  local: { kind: local }
  vault: { kind: vault, address: "${vault.address}" }
services: { gateway: { kind: systemd-user, unit: ${UNIT}, settleMs: 200 } }
issuers:
  openai: { kind: openai-admin, adminKey: { backend: local, ref: rekey/openai-admin }, project: proj_leaks, serviceAccount: svc_acct_leaks, baseUrl: "${oai.url}" }
ci: {}
secrets:
  openai:
    layer: provider-key
    provider: openai
    envVar: OPENAI_API_KEY
    backend: vault
    ref: openclaw/{env}/leaks-ci/openai
    issuer: openai
    probe: off
    description: the leak suite has no OpenAI model API stand-in; the probe is tested in ci-leases.test.ts
    deliveries:
      - { agent: main, env: prod, sink: { kind: systemd-env-file, path: "${f.envFile}" }, service: gateway, verify: { kind: none, reason: 'CI leases only: no consumer here' } }
`,
      );
      expect((await run(['init'])).code).toBe(0);
      expect((await run(['store', 'local', 'rekey/openai-admin', '--stdin'], oaiAdmin)).code).toBe(0);
      for (const runner of ['leak-a', 'leak-b']) expect((await run(['ci', 'issue', '--runner', runner, '--secret', 'openai', '--ttl', '1h', '--job', '7', '--json'])).code).toBe(0);
      expect((await run(['ci', 'issue', '--runner', 'leak-a', '--secret', 'openai', '--ttl', '1h'])).code).toBe(0); // replaces the first
      expect((await run(['ci', 'list', '--json'])).code).toBe(0);
      expect((await run(['ci', 'exec', '--runner', 'leak-a', '--dry-run', 'openai', '--', 'true'])).code).toBe(0);
      expect((await run(['ci', 'exec', '--runner', 'leak-a', 'openai', '--', 'sh', '-c', 'test -n "$OPENAI_API_KEY"'])).code).toBe(0);
      expect((await run(['ci', 'exec', '--runner', 'leak-c', 'openai', '--', 'true'])).code).toBe(3);
      expect((await run(['ci', 'revoke', 'leak-a', '--json'])).code).toBe(0);
      expect((await run(['ci', 'reap', '--dry-run'])).code).toBe(0);
      expect((await run(['ci', 'revoke', 'leak-b'])).code).toBe(0);
      expect((await run(['audit', 'show', '--json'])).code).toBe(0);
      expect(oai.minted).toHaveLength(3);
      canaries.push(...oai.minted.map((m) => m.value));
    } finally {
      await oai.close();
    }

    const { hits, samples } = sampler.stop();
    const files: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) e.isDirectory() ? walk(join(d, e.name)) : files.push(join(d, e.name));
    };
    homes.forEach(walk);
    const fileHits = files.filter((p) => canaries.some((c) => readFileSync(p).includes(c)));
    const outHits = outputs.filter((o) => canaries.some((c) => o.includes(c)) || o.includes('hvs.leaks'));
    const S = 'leaks (canary)';
    record({ suite: S, measure: 'outputs scanned (stdout+stderr, trace logs)', value: outputs.length });
    record({ suite: S, measure: 'state files scanned (journal, audit, store…)', value: files.length });
    record({ suite: S, measure: 'argv samples of every process', value: samples });
    record({ suite: S, measure: 'canary found in outputs / files / argv', value: `${outHits.length}/${fileHits.length}/${hits.length}`, must: '0/0/0' });
    expect(outputs.join('')).toMatch(/sk-a…qqqq#/); // fingerprints are there instead
    expect(files.some((p) => p.endsWith('audit.jsonl'))).toBe(true);
    const context = outHits.map((o) => {
      const c = canaries.find((x) => o.includes(x)) ?? 'hvs.leaks';
      const at = o.indexOf(c);
      return o.slice(Math.max(0, at - 300), at + 80);
    });
    expect(context).toEqual([]);
    expect(fileHits).toEqual([]);
    expect(hits).toEqual([]);
  }, 900_000);
});
