/**
 * The Vault client as a real Vault treats it: TLS verification decided by rekey (never off by
 * accident), least-privilege tokens (no sys/mounts), namespaces, mounts with slashes, AppRole
 * token hygiene, abort, and strict KV settings. Real node-vault against the loopback fake.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createVaultBackend } from '../../providers/backends/vault.js';
import { createVaultClient, type VaultSession } from '../../providers/backends/vault-client.js';
import { vaultBackendConfig } from '../../providers/backends/vault.schema.js';
import { SecretValue } from '../../src/core/secret-value.js';
import { startFakeVault, type AclPolicy, type FakeVault } from '../harness/fake-vault.js';
import { secretBackendContract } from './secret-backend.contract.js';

const dir = mkdtempSync(join(tmpdir(), 'rekey-vault-client-'));
const sig = () => new AbortController().signal;
let n = 0;
const TOKEN = 'hvs.root-for-tests';

/** docs/vault.md's least-privilege policy for openclaw/prod on mount M (no sys/mounts) */
const leastPolicy = (m: string): AclPolicy => ({
  [`${m}/data/openclaw/prod/*`]: ['create', 'read', 'update'],
  [`${m}/metadata/openclaw/prod/*`]: ['read', 'update'],
  [`${m}/data/rekey-pending/openclaw/prod/*`]: ['create', 'read', 'update'],
  [`${m}/metadata/rekey-pending/openclaw/prod/*`]: ['read', 'delete'],
  [`${m}/data/rekey-standby/openclaw/prod/*`]: ['create', 'read', 'update'],
  [`${m}/metadata/rekey-standby/openclaw/prod/*`]: ['read'],
});

function session(vault: FakeVault, extra: object, env: NodeJS.ProcessEnv, warn?: (m: string) => void, now?: () => number) {
  const cfg = vaultBackendConfig.parse({ kind: 'vault', address: vault.address, ...extra });
  let s: Promise<VaultSession> | undefined;
  const client = () => (s ??= createVaultClient(cfg, env, { ...(warn ? { warn } : {}), ...(now ? { now } : {}) }));
  return { backend: createVaultBackend(cfg, { client }), client };
}

async function roundTrip(b: ReturnType<typeof createVaultBackend>, ref: string) {
  await b.stage(ref, SecretValue.of('value-0000000000000000'), 'r1', sig());
  await b.promote(ref, 'r1', sig());
  expect((await b.read(ref, 'current', sig()))!.value.reveal()).toBe('value-0000000000000000');
}

describe('TLS: verification is on unless VAULT_SKIP_VERIFY is a true boolean', () => {
  let vault: FakeVault;
  const caFile = join(dir, 'ca.pem');
  beforeAll(async () => {
    const key = join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', caFile, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    vault = await startFakeVault({ tls: { key: readFileSync(key), cert: readFileSync(caFile) } });
    vault.addToken(TOKEN);
  });
  afterAll(() => vault?.close());

  test.each([[undefined], ['false'], ['0'], ['F']])('VAULT_SKIP_VERIFY=%s → a self-signed certificate is refused: a TLS error, exit 4, not retried, the client\'s own words', async (skip) => {
    const warnings: string[] = [];
    const { backend } = session(vault, {}, { VAULT_TOKEN: TOKEN, ...(skip !== undefined ? { VAULT_SKIP_VERIFY: skip } : {}) }, (m) => warnings.push(m));
    const err = await backend.read('openclaw/prod/x', 'current', sig()).catch((e) => e);
    expect(err).toMatchObject({ code: 'VAULT_TLS', exitCode: 4, retryable: false });
    expect(err.message).toMatch(/TLS: .*self.signed/i);
    expect(err.hint).toMatch(/caCertFile/);
    expect(warnings).toEqual([]);
  });

  test.each([['true'], ['1'], ['TRUE']])('VAULT_SKIP_VERIFY=%s → connects, with a warning', async (skip) => {
    const warnings: string[] = [];
    const { backend } = session(vault, {}, { VAULT_TOKEN: TOKEN, VAULT_SKIP_VERIFY: skip }, (m) => warnings.push(m));
    await roundTrip(backend, `openclaw/prod/tls-skip-${++n}`);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/NOT verified/);
  });

  test('caCertFile in the policy → verified and connects, no warning; a value that is not a boolean is refused', async () => {
    const warnings: string[] = [];
    const { backend } = session(vault, { caCertFile: caFile }, { VAULT_TOKEN: TOKEN }, (m) => warnings.push(m));
    await roundTrip(backend, `openclaw/prod/tls-ca-${++n}`);
    expect(warnings).toEqual([]);
    const bad = session(vault, {}, { VAULT_TOKEN: TOKEN, VAULT_SKIP_VERIFY: 'yes please' });
    await expect(bad.backend.read('x', 'current', sig())).rejects.toMatchObject({ code: 'VAULT_SKIP_VERIFY_INVALID', exitCode: 2 });
  });
});

describe('least privilege, namespaces, mount paths', () => {
  let vault: FakeVault;
  beforeAll(async () => {
    vault = await startFakeVault({ mounts: { secret: '2', 'teams/kv': '2', strict: { version: '2', casRequired: true, maxVersions: 2 } } });
    vault.addToken(TOKEN);
  });
  afterAll(() => vault?.close());

  secretBackendContract('vault on a mount with cas_required and max_versions 2', async () => {
    const { backend } = session(vault, { mount: 'strict' }, { VAULT_TOKEN: TOKEN });
    return { backend, ref: (x) => `openclaw/strict-${++n}/${x}` };
  });

  test('a token with only the docs/vault.md policy (no sys/mounts) rotates: the KV v2 check asks sys/internal/ui/mounts', async () => {
    const t = `hvs.least-${++n}`;
    vault.addToken(t, { policy: leastPolicy('secret') });
    const { backend } = session(vault, {}, { VAULT_TOKEN: t });
    const ref = `openclaw/prod/least-${n}`;
    await roundTrip(backend, ref);
    await backend.stage(ref, SecretValue.of('value-1111111111111111'), 'r2', sig());
    await backend.discard(ref, 'r2', sig());
    expect((await backend.versions(ref, sig())).map((v) => v.stages.join())).toEqual(['current']);
    expect(vault.calls).toContain('GET sys/internal/ui/mounts/secret');
    // the standby pool with the same token: add, list, read, remove
    await backend.standby!.add(ref, '20261130T000000Z-aaaaaa', SecretValue.of('value-stby-0000000000'), sig());
    expect((await backend.standby!.list(ref, sig())).map((e) => e.id)).toEqual(['20261130T000000Z-aaaaaa']);
    await backend.standby!.remove(ref, '20261130T000000Z-aaaaaa', sig());
    expect(await backend.standby!.list(ref, sig())).toEqual([]);
  });

  test('a Vault without the internal endpoint: sys/mounts is the fallback; a token that may read neither is told what to grant', async () => {
    const old = await startFakeVault({ internalUi: false });
    try {
      old.addToken(TOKEN);
      await roundTrip(session(old, {}, { VAULT_TOKEN: TOKEN }).backend, `openclaw/prod/old-${++n}`);
      expect(old.calls).toContain('GET sys/mounts');
      old.addToken('hvs.least', { policy: leastPolicy('secret') });
      const err = await session(old, {}, { VAULT_TOKEN: 'hvs.least' }).backend.read('openclaw/prod/x', 'current', sig()).catch((e) => e);
      expect(err).toMatchObject({ code: 'ACCESS_DENIED', exitCode: 4 });
      expect(err.message).toMatch(/sys\/mounts: HTTP 403/);
    } finally {
      await old.close();
    }
  });

  test('a token with no capability under the mount is refused at connect (403 there), naming the mount', async () => {
    vault.addToken('hvs.elsewhere', { policy: { 'other/data/*': ['read'] } });
    const err = await session(vault, {}, { VAULT_TOKEN: 'hvs.elsewhere' }).backend.read('openclaw/prod/x', 'current', sig()).catch((e) => e);
    expect(err).toMatchObject({ code: 'ACCESS_DENIED', exitCode: 4 });
    expect(err.message).toMatch(/no mount "secret\/" that this token can use/);
  });

  test('a mount path with a slash (teams/kv) works; a mount that is a path inside another mount is refused', async () => {
    const { backend } = session(vault, { mount: 'teams/kv' }, { VAULT_TOKEN: TOKEN });
    const ref = `openclaw/prod/slash-${++n}`;
    await roundTrip(backend, ref);
    expect(vault.kv.get(`teams/kv/${ref}`)!.current).toBe(1);
    const inside = session(vault, { mount: 'secret/openclaw' }, { VAULT_TOKEN: TOKEN });
    await expect(inside.backend.read('x', 'current', sig())).rejects.toMatchObject({ code: 'VAULT_NO_MOUNT', exitCode: 3 });
    expect(() => vaultBackendConfig.parse({ kind: 'vault', mount: 'a//b' })).toThrow();
    expect(() => vaultBackendConfig.parse({ kind: 'vault', mount: '../x' })).toThrow();
  });

  test('namespaces are enforced: the data lives in the token\'s namespace; the wrong (or no) namespace is 403', async () => {
    vault.addToken('hvs.ns', { ns: 'team-a' });
    const { backend } = session(vault, { namespace: 'team-a' }, { VAULT_TOKEN: 'hvs.ns' });
    const ref = `openclaw/prod/ns-${++n}`;
    await roundTrip(backend, ref);
    expect(vault.kvIn('team-a').get(`secret/${ref}`)!.current).toBe(1);
    expect(vault.kv.has(`secret/${ref}`)).toBe(false);
    const none = session(vault, {}, { VAULT_TOKEN: 'hvs.ns' });
    await expect(none.backend.read(ref, 'current', sig())).rejects.toMatchObject({ exitCode: 4 });
  });

  test('an answer of unexpected shape (a proxy, another engine) is a named error, exit 4, never a crash', async () => {
    const { backend } = session(vault, {}, { VAULT_TOKEN: TOKEN });
    const ref = `openclaw/prod/shape-${++n}`;
    await roundTrip(backend, ref);
    for (const body of [{ data: { current_version: 'one' } }, { data: null }, { html: '<h1>gateway</h1>' }, { data: { current_version: 1, versions: null } }]) {
      vault.answerOnce(`secret/metadata/${ref}`, body);
      await expect(backend.read(ref, 'current', sig())).rejects.toMatchObject({ code: 'VAULT_UNEXPECTED_ANSWER', exitCode: 4 });
    }
    vault.answerOnce(`secret/data/rekey-pending/${ref}`, { data: { data: { value: 1 } } });
    await expect(backend.read(ref, 'pending', sig())).rejects.toMatchObject({ code: 'VAULT_UNEXPECTED_ANSWER' });
  });

  test('custom_metadata others set is kept by a promote (Vault replaces the whole map)', async () => {
    const { backend } = session(vault, {}, { VAULT_TOKEN: TOKEN });
    const ref = `openclaw/prod/custom-${++n}`;
    await roundTrip(backend, ref);
    vault.kv.get(`secret/${ref}`)!.custom = { owner: 'team-a', rekey_rotation_id: 'r1' };
    await backend.stage(ref, SecretValue.of('value-2222222222222222'), 'r2', sig());
    await backend.promote(ref, 'r2', sig());
    expect(vault.kv.get(`secret/${ref}`)!.custom).toMatchObject({ owner: 'team-a', rekey_rotation_id: 'r2' });
  });
});

describe('AppRole token hygiene and aborts', () => {
  let vault: FakeVault;
  const files = (tag: string) => {
    writeFileSync(join(dir, `role-${tag}`), `role-${tag}\n`, { mode: 0o600 });
    writeFileSync(join(dir, `secret-${tag}`), `secret-${tag}\n`, { mode: 0o600 });
    vault.approle(`role-${tag}`, `secret-${tag}`, { ttl: 100, policy: leastPolicy('secret') });
    return { auth: { method: 'approle', roleIdFile: join(dir, `role-${tag}`), secretIdFile: join(dir, `secret-${tag}`) } };
  };
  beforeAll(async () => {
    vault = await startFakeVault();
  });
  afterAll(() => vault?.close());

  test('the token rekey obtained is revoked at close: no live token left behind', async () => {
    const { backend, client } = session(vault, files('close'), {});
    await roundTrip(backend, `openclaw/prod/close-${++n}`);
    const live = vault.liveTokens();
    expect(live).toHaveLength(1);
    await (await client()).close();
    expect(vault.revoked).toEqual(live);
    expect(vault.liveTokens()).toEqual([]);
  });

  test('the token expires mid-rotation → logged in again once, the rotation carries on', async () => {
    const { backend, client } = session(vault, files('expire'), {});
    const ref = `openclaw/prod/expire-${++n}`;
    await backend.stage(ref, SecretValue.of('value-3333333333333333'), 'r1', sig());
    vault.advance(101);
    await backend.promote(ref, 'r1', sig());
    expect((await backend.read(ref, 'current', sig()))!.value.reveal()).toBe('value-3333333333333333');
    expect(vault.calls.filter((c) => c === 'POST auth/approle/login').length).toBeGreaterThanOrEqual(2);
    await (await client()).close();
  });

  test('past half its lease the token is renewed (renew-self), not left to expire', async () => {
    let t = 1_000_000;
    const { backend, client } = session(vault, files('renew'), {}, undefined, () => t);
    const ref = `openclaw/prod/renew-${++n}`;
    await backend.stage(ref, SecretValue.of('value-4444444444444444'), 'r1', sig());
    expect(vault.renewed).toEqual([]);
    t += 60_000;
    await backend.promote(ref, 'r1', sig());
    expect(vault.renewed).toHaveLength(1);
    await (await client()).close();
  });

  test('a hung Vault: the AbortSignal ends the request at once (not retried)', async () => {
    vault.addToken(TOKEN);
    const { backend } = session(vault, {}, { VAULT_TOKEN: TOKEN });
    await backend.read('openclaw/prod/warm', 'current', sig());
    vault.stallNext(1);
    const ac = new AbortController();
    const started = Date.now();
    setTimeout(() => ac.abort(), 100);
    const err = await backend.read('openclaw/prod/hung', 'current', ac.signal).catch((e) => e);
    expect(err).toMatchObject({ code: 'ABORTED', retryable: false });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  test('a standby node without request forwarding (307 to the active node) is followed, the token kept', async () => {
    vault.addToken(TOKEN);
    const { startLoopbackServer } = await import('../harness/loopback-server.js');
    const standby = await startLoopbackServer((req, res) => {
      res.writeHead(307, { location: `${vault.address}${req.url}` });
      res.end();
    });
    try {
      const cfg = vaultBackendConfig.parse({ kind: 'vault', address: standby.url });
      let s: Promise<VaultSession> | undefined;
      const b = createVaultBackend(cfg, { client: () => (s ??= createVaultClient(cfg, { VAULT_TOKEN: TOKEN })) });
      await roundTrip(b, `openclaw/prod/standby-${++n}`);
    } finally {
      await standby.close();
    }
  });

  test('a request timeout is a retryable "unreachable", not a hang', async () => {
    const { backend } = session(vault, { requestTimeoutMs: 200 }, { VAULT_TOKEN: TOKEN });
    await backend.read('openclaw/prod/warm', 'current', sig());
    vault.stallNext(1);
    await expect(backend.read('openclaw/prod/slow', 'current', sig())).rejects.toMatchObject({ code: 'UNREACHABLE', retryable: true });
  });
});
