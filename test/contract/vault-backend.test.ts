import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createVaultBackend } from '../../providers/backends/vault.js';
import { createVaultClient } from '../../providers/backends/vault-client.js';
import { vaultBackendConfig } from '../../providers/backends/vault.schema.js';
import { SecretValue } from '../../src/core/secret-value.js';
import { startFakeVault, type FakeVault } from '../harness/fake-vault.js';
import { secretBackendContract } from './secret-backend.contract.js';

let vault: FakeVault;
let n = 0;
const TOKEN = 'hvs.rekey-test-token';
const sig = () => new AbortController().signal;
const cfg = (extra: object = {}) => vaultBackendConfig.parse({ kind: 'vault', address: vault.address, mount: 'secret', ...extra });
const backendWith = (extra: object = {}, env: NodeJS.ProcessEnv = { VAULT_TOKEN: TOKEN }) => {
  const c = cfg(extra);
  let client: ReturnType<typeof createVaultClient> | undefined;
  return createVaultBackend(c, { client: () => (client ??= createVaultClient(c, env)) });
};

beforeAll(async () => {
  vault = await startFakeVault();
  vault.addToken(TOKEN);
});
afterAll(async () => {
  await vault.close();
});

secretBackendContract('vault KV v2 (real node-vault over HTTP)', async () => ({ backend: backendWith(), ref: (name) => `openclaw/contract-${++n}/${name}` }));

describe('vault backend specifics', () => {
  test('consumers never see a staged value: the main path changes only at promote, with cas', async () => {
    const b = backendWith();
    const ref = `openclaw/stage-${++n}`;
    await b.stage(ref, SecretValue.of('one-000000000000000000'), 'r1', sig());
    expect(vault.kv.has(`secret/${ref}`)).toBe(false);
    expect(vault.kv.has(`secret/rekey-pending/${ref}`)).toBe(true);
    await b.promote(ref, 'r1', sig());
    expect(vault.kv.get(`secret/${ref}`)!.current).toBe(1);
    expect(vault.kv.get(`secret/${ref}`)!.custom).toMatchObject({ rekey_rotation_id: 'r1' });
    expect(vault.kv.has(`secret/rekey-pending/${ref}`)).toBe(false);
    const writes = vault.calls.filter((c) => c === `POST secret/data/${ref}` || c === `PUT secret/data/${ref}`);
    expect(writes).toHaveLength(1);
  });

  test('someone else writes between stage and promote → CAS conflict, nothing promoted', async () => {
    const b = backendWith();
    const ref = `openclaw/cas-${++n}`;
    await b.stage(ref, SecretValue.of('base-00000000000000000'), 'r1', sig());
    await b.promote(ref, 'r1', sig());
    await b.stage(ref, SecretValue.of('mine-00000000000000000'), 'r2', sig());
    vault.writeDirect('secret', ref, { value: 'operator-wrote-this-000' });
    await expect(b.promote(ref, 'r2', sig())).rejects.toMatchObject({ code: 'CAS_CONFLICT', exitCode: 4 });
    expect((await b.read(ref, 'current', sig()))!.value.reveal()).toBe('operator-wrote-this-000');
  });

  test('two rotations promoting at once: exactly one wins', async () => {
    const a = backendWith();
    const b = backendWith();
    const ref = `openclaw/race-${++n}`;
    await a.stage(ref, SecretValue.of('base-00000000000000000'), 'r0', sig());
    await a.promote(ref, 'r0', sig());
    // both hosts staged from the same base version; the second took the pending slot over
    await a.stage(ref, SecretValue.of('host-a-000000000000000'), 'ra', sig());
    await b.stage(ref, SecretValue.of('host-b-000000000000000'), 'rb', sig());
    const results = await Promise.allSettled([a.promote(ref, 'ra', sig()), b.promote(ref, 'rb', sig())]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(['PENDING_TAKEN', 'CAS_CONFLICT']).toContain(lost.reason.code);
    expect((await a.read(ref, 'current', sig()))!.value.reveal()).toBe('host-b-000000000000000');
    expect(vault.kv.get(`secret/${ref}`)!.current).toBe(2);
  });

  test('the same promote twice at once (two resumes): one write, both succeed', async () => {
    const a = backendWith();
    const b = backendWith();
    const ref = `openclaw/twice-${++n}`;
    await a.stage(ref, SecretValue.of('base-00000000000000000'), 'r0', sig());
    await a.promote(ref, 'r0', sig());
    await a.stage(ref, SecretValue.of('next-00000000000000000'), 'r1', sig());
    const results = await Promise.allSettled([a.promote(ref, 'r1', sig()), b.promote(ref, 'r1', sig())]);
    expect(results.every((r) => r.status === 'fulfilled'), JSON.stringify(results)).toBe(true);
    expect(vault.kv.get(`secret/${ref}`)!.current).toBe(2);
  });

  test('a KV v1 mount is refused with a clear error', async () => {
    const b = backendWith({ mount: 'kv1' });
    await expect(b.read('x', 'current', sig())).rejects.toMatchObject({ code: 'VAULT_KV_V1', exitCode: 3 });
    await expect(b.read('x', 'current', sig())).rejects.toThrow(/check-and-set would be silently ignored/);
  });

  test('a 403 (expired token) is exit 4 naming the path, never retried, never carrying the token', async () => {
    const t = 'hvs.short-lived';
    vault.addToken(t);
    const b = backendWith({}, { VAULT_TOKEN: t });
    const ref = `openclaw/expiry-${++n}`;
    await b.stage(ref, SecretValue.of('x-0000000000000000000000'), 'r1', sig());
    vault.expire(t);
    const err = await b.promote(ref, 'r1', sig()).catch((e) => e);
    expect(err).toMatchObject({ code: 'ACCESS_DENIED', exitCode: 4, retryable: false });
    expect(err.message).toMatch(new RegExp(`secret/(metadata|data)/${ref}`));
    expect(JSON.stringify(err) + String(err.stack) + String(err.cause ?? '')).not.toContain(t);
  });

  test('5xx and network errors are retryable; a 404 is branched on the status code', async () => {
    const b = backendWith();
    await b.read('warm-up', 'current', sig());
    vault.failNext(1, 503);
    await expect(b.read('anything', 'current', sig())).rejects.toMatchObject({ code: 'VAULT_UNAVAILABLE', retryable: true });
    expect(await b.read(`openclaw/missing-${++n}`, 'current', sig())).toBeNull();
  });

  test('AppRole login from 0600 files, namespace header sent; a too-open secret-id file is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rekey-approle-'));
    writeFileSync(join(dir, 'role-id'), 'role-123\n', { mode: 0o600 });
    writeFileSync(join(dir, 'secret-id'), 'secret-456\n', { mode: 0o600 });
    vault.approle('role-123', 'secret-456', { ns: 'team-a' });
    const b = backendWith({ namespace: 'team-a', auth: { method: 'approle', roleIdFile: join(dir, 'role-id'), secretIdFile: join(dir, 'secret-id') } }, {});
    const ref = `openclaw/approle-${++n}`;
    await b.stage(ref, SecretValue.of('via-approle-00000000000'), 'r1', sig());
    expect(vault.namespaces).toContain('team-a');
    chmodSync(join(dir, 'secret-id'), 0o644);
    const c = backendWith({ auth: { method: 'approle', roleIdFile: join(dir, 'role-id'), secretIdFile: join(dir, 'secret-id') } }, {});
    await expect(c.read('x', 'current', sig())).rejects.toMatchObject({ code: 'VAULT_CREDENTIAL_TOO_OPEN' });
  });
});
