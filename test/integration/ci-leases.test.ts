/**
 * Per-runner CI leases end to end (issue 19), with the built CLI and real clients: the loopback
 * Vault (KV v2, JWT auth with bound claims, HCL ACL policies; test/harness/fake-vault*.ts) holds
 * the leases and their book; a loopback OIDC issuer serves the JWKS that signs each runner's
 * GitHub-style ID token; the OpenAI Admin API stand-in mints keys with `expires_in_seconds` and
 * shares them with the OpenAI model API stand-in, which refuses a key once deleted or expired.
 *
 * An operator issues runner A and runner B their own keys; each runner logs in with its own ID
 * token (the role `rekey ci render vault-role` prints) and runs its command through `rekey ci
 * exec`, which reaches the model API with that runner's key; A's identity cannot read B's lease;
 * a human's secret is never issued; B's lease expires at the provider and the scheduled job
 * (`rotate --due`, which runs `ci reap`) deletes it upstream and from Vault; `ci revoke` ends A's. Audit records per issuance and end; no key
 * value in any output, the audit log or the journal.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SecretValue } from '../../src/core/secret-value.js';
import { githubSubject, vaultRole, type RunnerBinding } from '../../src/usecases/ci-trust.js';
import { startFakeOpenaiAdmin, type FakeOpenaiAdmin } from '../harness/fake-admin-apis.js';
import { startFakeOpenai, type FakeOpenai } from '../harness/fake-openai.js';
import { startFakeVault, type FakeVault } from '../harness/fake-vault.js';
import { GITHUB_ISSUER, startFakeOidc, type FakeOidc } from '../harness/fake-oidc.js';
import { rekeyAsync, type CliRun } from '../harness/rekey-cli.js';

const AUD = 'https://github.com/acme';
const ROOT = 'hvs.operator-token-for-ci-leases';
const ADMIN = 'sk-admin-ci-leases-' + 'a'.repeat(40);
const HUMAN = 'sk-proj-alice-own-key-' + 'h'.repeat(40);
const A: RunnerBinding = { runner: 'gha-a', repo: 'acme/api', ref: 'refs/heads/main' };
const B: RunnerBinding = { runner: 'gha-b', repo: 'acme/api', environment: 'nightly' };


describe('ci leases: a key of its own per runner, read with its own identity, ended upstream', () => {
  let vault: FakeVault;
  let oidc: FakeOidc;
  const idToken = (b: RunnerBinding) => oidc.idToken({ aud: AUD, sub: githubSubject(b), repository: b.repo });
  let admin: FakeOpenaiAdmin;
  let model: FakeOpenai;
  let root: string;
  let env: Record<string, string>;
  let policyFile: string;
  const outputs: string[] = [];
  const cli = async (args: string[], o: { token?: string; input?: string; env?: Record<string, string> } = {}): Promise<CliRun> => {
    const dd = args.indexOf('--');
    const argv = dd < 0 ? [...args, '--policy', policyFile] : [...args.slice(0, dd), '--policy', policyFile, ...args.slice(dd)];
    const r = await rekeyAsync(argv, { ...env, VAULT_TOKEN: o.token ?? ROOT, ...o.env }, o.input);
    // GitHub's masking commands are consumed by the runner, never logged: checked where they are made
    outputs.push(r.stdout.replace(/^::add-mask::.*\n/gm, ''), r.stderr);
    return r;
  };
  const json = (r: CliRun) => {
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout);
  };
  const vaultApi = async (method: string, path: string, body?: unknown) => fetch(`${vault.address}/v1/${path}`, { method, headers: { 'x-vault-token': ROOT, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  /** a runner's Vault token from its ID token (what vault-action does) */
  const login = async (b: RunnerBinding) => {
    const r = await fetch(`${vault.address}/v1/auth/jwt/login`, { method: 'POST', body: JSON.stringify({ role: `rekey-ci-${b.runner}`, jwt: idToken(b) }) });
    expect(r.status).toBe(200);
    return ((await r.json()) as { auth: { client_token: string } }).auth.client_token;
  };
  /** the runner's command: one chat completion with the key rekey ci exec put in its environment */
  const RUNNER_CMD = (url: string) => [
    process.execPath,
    '-e',
    `fetch(${JSON.stringify(url + '/v1/chat/completions')}, { method: 'POST', headers: { authorization: 'Bearer ' + process.env.OPENAI_API_KEY, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-fake', messages: [{ role: 'user', content: 'hi' }] }) }).then((r) => { console.log('status', r.status); process.exit(r.status === 200 ? 0 : 7); })`,
  ];
  const accepts = async (key: string) => (await fetch(`${model.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'rekey-ci-leases-'));
    const home = join(root, 'home');
    mkdirSync(join(home, '.openclaw'), { recursive: true });
    model = await startFakeOpenai();
    model.allow(HUMAN);
    admin = await startFakeOpenaiAdmin({ project: 'proj_ci', serviceAccount: 'svc_acct_ci', adminKeys: { [ADMIN]: 'admin' }, onChange: (v, on) => (on ? model.allow(v) : model.deny(v)) });
    // where the consumers' OpenClaw sends openai requests: the probe asks the same place
    writeFileSync(join(home, '.openclaw', 'openclaw.json'), JSON.stringify({ models: { providers: { openai: { baseUrl: `${model.url}/v1`, api: 'openai-completions', models: [] } } } }), { mode: 0o600 });
    oidc = await startFakeOidc();
    vault = await startFakeVault();
    vault.addToken(ROOT);
    expect((await vaultApi('POST', 'auth/jwt/config', { jwks_url: oidc.jwksUrl, bound_issuer: GITHUB_ISSUER })).status).toBeLessThan(300);
    for (const b of [A, B]) {
      const r = vaultRole(b, { audience: AUD, kvMount: 'secret', prefix: 'rekey/ci', ttl: '15m' });
      expect((await vaultApi('POST', `sys/policies/acl/${r.policyName}`, { policy: r.policy })).status).toBeLessThan(300);
      expect((await vaultApi('POST', `auth/jwt/role/${r.name}`, r.role)).status).toBeLessThan(300);
    }
    policyFile = join(root, 'rekey.yaml');
    writeFileSync(
      policyFile,
      `version: 1
environments: { prod: {} }
agents: { main: {} }
backends:
  local: { kind: local }
  vault: { kind: vault, address: "${vault.address}", mount: secret }
services: { gw: { kind: systemd-user, unit: openclaw-gateway.service } }
issuers:
  openai: { kind: openai-admin, adminKey: { backend: local, ref: rekey/openai-admin }, project: proj_ci, serviceAccount: svc_acct_ci, baseUrl: "${admin.url}" }
ci: { maxTtl: 2h }
secrets:
  openai:
    layer: provider-key
    provider: openai
    envVar: OPENAI_API_KEY
    backend: vault
    ref: openclaw/{env}/openai
    issuer: openai
    deliveries:
      - { agent: main, env: prod, sink: { kind: systemd-env-file, path: "${root}/gw.env" }, service: gw, verify: { kind: none, reason: 'CI leases only: no consumer here' } }
  alice:
    layer: provider-key
    provider: openai
    envVar: OPENAI_API_KEY
    audience: human
    backend: vault
    ref: people/alice/openai
    deliveries:
      - { agent: main, env: prod, sink: { kind: systemd-env-file, path: "${root}/alice.env" }, service: gw, verify: { kind: none, reason: "a person's own key: not delivered by CI" } }
`,
    );
    env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, REKEY_HOME: join(root, 'state'), LANG: 'C.UTF-8' };
    expect((await cli(['init'])).code).toBe(0);
    const st = await cli(['store', 'local', 'rekey/openai-admin', '--stdin'], { input: ADMIN });
    expect(st.code, st.stderr).toBe(0);
    // the human's key, current in Vault
    expect((await vaultApi('POST', 'secret/data/people/alice/openai', { data: { value: HUMAN } })).status).toBeLessThan(300);
  }, 120_000);

  afterAll(async () => {
    await Promise.allSettled([vault?.close(), oidc?.close(), admin?.close(), model?.close()]);
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test('issue → each runner reaches the provider with its own key through ci exec → expiry + reap and revoke → refused; audited, no value anywhere', async () => {
    // a human's secret is never a runner's
    const human = await cli(['ci', 'issue', '--runner', 'gha-a', '--secret', 'alice', '--ttl', '1h']);
    expect(human.code).toBe(3);
    expect(human.stderr).toMatch(/HUMAN_CREDENTIAL_TO_CI|kept for humans/);
    expect((await cli(['ci', 'issue', '--runner', 'gha-a', '--secret', 'openai', '--ttl', '3h'])).code).toBe(2); // over ci.maxTtl

    const a = json(await cli(['ci', 'issue', '--runner', 'gha-a', '--secret', 'openai', '--ttl', '1h', '--job', '4242', '--json'])).lease;
    // debug logging on: still no value in it
    const b1 = json(await cli(['ci', 'issue', '--runner', 'gha-b', '--secret', 'openai', '--ttl', '1h', '--json', '--log-level', 'debug'])).lease;
    expect(a).toMatchObject({ runner: 'gha-a', job: '4242', ref: 'rekey/ci/gha-a/openai', source: 'minted', backend: 'vault' });
    expect(b1.fingerprint).not.toBe(a.fingerprint);
    expect([a.fingerprint, b1.fingerprint]).not.toContain(SecretValue.of(HUMAN).fingerprint);
    const listed = json(await cli(['ci', 'list', '--json'])).leases;
    expect(listed.map((l: { id: string }) => l.id)).toEqual([a.id, b1.id]);

    // each runner, with its own identity, runs its command with its own key
    const tokenA = await login(A);
    const tokenB = await login(B);
    const dry = await cli(['ci', 'exec', '--runner', 'gha-a', '--dry-run', 'openai', '--', 'true'], { token: tokenA });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`OPENAI_API_KEY ← rekey/ci/gha-a/openai (${a.fingerprint})`);
    for (const [runner, token, lease, github] of [['gha-a', tokenA, a, true], ['gha-b', tokenB, b1, false]] as const) {
      const seen = model.seenKeys.length;
      const r = await cli(['ci', 'exec', '--runner', runner, 'openai', '--', ...RUNNER_CMD(model.url)], { token, env: github ? { GITHUB_ACTIONS: 'true' } : {} });
      expect(r.code, r.stderr + r.stdout).toBe(0);
      expect(r.stdout).toContain('status 200');
      const sent = model.seenKeys.slice(seen);
      expect(sent).toHaveLength(1);
      expect(SecretValue.of(sent[0]!).fingerprint).toBe(lease.fingerprint);
      expect(sent[0]).not.toBe(HUMAN);
      // on GitHub Actions the value is registered for masking before the command runs; elsewhere nothing
      expect(r.stdout.startsWith(`::add-mask::${sent[0]}\nstatus 200`)).toBe(github);
      if (!github) expect(r.stdout).not.toContain('::add-mask::');
    }
    // A's identity cannot read B's lease, nor the book
    const cross = await cli(['ci', 'exec', '--runner', 'gha-b', 'openai', '--', 'true'], { token: tokenA });
    expect(cross.code).toBe(4);
    expect(cross.stderr).toMatch(/permission denied/);
    expect((await cli(['ci', 'list'], { token: tokenA })).code).toBe(4);

    // a new, short lease for B replaces its first (which ends upstream at once)
    const keyB1 = model.seenKeys.find((k) => SecretValue.of(k).fingerprint === b1.fingerprint)!;
    const again = json(await cli(['ci', 'issue', '--runner', 'gha-b', '--secret', 'openai', '--ttl', '3s', '--json']));
    const b = again.lease;
    expect(again.replaced).toEqual([expect.objectContaining({ id: b1.id, reason: 'replaced', ended: true, removed: false, probe: expect.stringMatching(/^refused/) })]);
    expect(await accepts(keyB1)).toBe(401);
    // minted with the provider's own expiry: the lease's ttl
    expect(admin.minted.map((m) => m.expiresInSeconds)).toEqual([3600, 3600, 3]);
    expect(b.providerExpiresAt).not.toBeNull();
    const keyB = admin.minted.at(-1)!.value;
    expect(SecretValue.of(keyB).fingerprint).toBe(b.fingerprint);
    // B's lease expires: the provider refuses it on its own; reap deletes it upstream and from Vault
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(b.expiresAt) - Date.now()) + 1000));
    expect(await accepts(keyB)).toBe(401);
    expect(json(await cli(['ci', 'reap', '--dry-run', '--json'])).expired.map((l: { id: string }) => l.id)).toEqual([b.id]);
    // the scheduled job (`rotate --due`, nothing due here) ends it
    const reaped = json(await cli(['rotate', '--due', '--json'])).ciLeases;
    expect(reaped.ended).toEqual([expect.objectContaining({ id: b.id, reason: 'expired', ended: true, removed: true, upstream: expect.stringMatching(/^deleted/), probe: expect.stringMatching(/^refused \(HTTP 401/) })]);
    expect(admin.requests.some((r) => r.startsWith('DELETE /v1/organization/projects/proj_ci/api_keys/'))).toBe(true);
    expect((await vaultApi('GET', 'secret/metadata/rekey/ci/gha-b/openai')).status).toBe(404);
    const afterReap = await cli(['ci', 'exec', '--runner', 'gha-b', 'openai', '--', 'true'], { token: tokenB });
    expect(afterReap.code).toBe(3);
    expect(afterReap.stderr).toMatch(/CI_LEASE_MISSING|holds no lease/);

    // revoke A now: deleted upstream, refused by the provider, gone from Vault and the book
    const keyA = model.seenKeys.find((k) => SecretValue.of(k).fingerprint === a.fingerprint)!;
    expect(await accepts(keyA)).toBe(200);
    const revoked = json(await cli(['ci', 'revoke', 'gha-a', '--json']));
    expect(revoked.ended).toEqual([expect.objectContaining({ id: a.id, reason: 'revoked', ended: true, removed: true, probe: expect.stringMatching(/^refused/) })]);
    expect(await accepts(keyA)).toBe(401);
    expect(json(await cli(['ci', 'list', '--json'])).leases).toEqual([]);
    expect(json(await cli(['ci', 'reap', '--json']))).toEqual({ expired: [], ended: [] });
    expect((await cli(['ci', 'revoke', 'gha-a'])).code).toBe(2);
    expect(await accepts(HUMAN)).toBe(200); // the human's key untouched

    // audit: one record per issuance and per end, fingerprints only
    const audit = readFileSync(join(env.REKEY_HOME!, 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { command: string; outcome: string; lease?: { id: string; runner: string; fingerprint: string; job: string | null; ended?: { reason: string } } });
    const leaseRecords = audit.filter((r) => r.command.startsWith('ci-')).map((r) => [r.command, r.lease?.runner, r.lease?.fingerprint, r.lease?.ended?.reason ?? null]);
    expect(leaseRecords).toEqual([
      ['ci-issue', 'gha-a', a.fingerprint, null],
      ['ci-issue', 'gha-b', b1.fingerprint, null],
      ['ci-issue', 'gha-b', b.fingerprint, null],
      ['ci-end', 'gha-b', b1.fingerprint, 'replaced'],
      ['ci-end', 'gha-b', b.fingerprint, 'expired'],
      ['ci-end', 'gha-a', a.fingerprint, 'revoked'],
    ]);
    // no lease value (nor the admin key, nor the human's) in any output or file rekey wrote
    const canaries = [keyA, keyB1, keyB, ADMIN, HUMAN];
    const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? files(join(dir, d.name)) : [join(dir, d.name)]));
    const written = files(env.REKEY_HOME!).map((p) => readFileSync(p, 'latin1'));
    for (const c of canaries) {
      for (const o of outputs) expect(o).not.toContain(c);
      for (const w of written) expect(w).not.toContain(c);
    }
  }, 180_000);
});
