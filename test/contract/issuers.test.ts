/**
 * The issuer adapters with real HTTP (fetch) against loopback servers of the documented Admin API
 * subsets (test/harness/fake-admin-apis.ts), sharing state with a model API: a key retired there
 * is refused here. Errors name the missing permission; the admin key never appears in them.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAnthropicAdminIssuer } from '../../providers/issuers/anthropic-admin.js';
import { anthropicAdminIssuerConfig } from '../../providers/issuers/anthropic-admin.schema.js';
import { createOpenaiAdminIssuer } from '../../providers/issuers/openai-admin.js';
import { openaiAdminIssuerConfig } from '../../providers/issuers/openai-admin.schema.js';
import { createOpenrouterAdminIssuer } from '../../providers/issuers/openrouter-admin.js';
import { openrouterAdminIssuerConfig } from '../../providers/issuers/openrouter-admin.schema.js';
import { isRekeyError } from '../../src/core/errors.js';
import { SecretValue } from '../../src/core/secret-value.js';
import { startFakeAnthropicAdmin, startFakeOpenaiAdmin, startFakeOpenrouterAdmin, type FakeAnthropicAdmin, type FakeOpenaiAdmin, type FakeOpenrouterAdmin } from '../harness/fake-admin-apis.js';

const ADMIN = 'sk-ant-admin01-' + 'a'.repeat(40);
const READONLY = 'sk-ant-admin01-' + 'r'.repeat(40);
const OAI_ADMIN = 'sk-admin-' + 'b'.repeat(40);
const signal = () => AbortSignal.timeout(10_000);
const antKey = () => `sk-ant-api03-${randomBytes(30).toString('base64url')}AA`;
const codeOf = async (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (isRekeyError(e) ? e.code : String(e)));

describe('anthropic-admin issuer', () => {
  let api: FakeAnthropicAdmin;
  const accepted = new Set<string>();
  beforeAll(async () => {
    api = await startFakeAnthropicAdmin({ adminKeys: { [ADMIN]: 'admin', [READONLY]: 'readOnly' }, onChange: (v, on) => void (on ? accepted.add(v) : accepted.delete(v)) });
  });
  afterAll(() => api.close());
  const issuer = (key = ADMIN) => createAnthropicAdminIssuer(anthropicAdminIssuerConfig.parse({ kind: 'anthropic-admin', adminKey: { backend: 'local', ref: 'x' }, baseUrl: api.url }), async () => SecretValue.of(key));

  test('cannot mint; finds a key by its hint across pages; retire → inactive and refused by the model API; unretire → active again; both idempotent', async () => {
    expect(issuer().can).toEqual({ mint: false, retire: true, unretire: true });
    expect(issuer().mint).toBeUndefined();
    for (let i = 0; i < 150; i++) api.addKey(antKey());
    const old = antKey();
    const id = api.addKey(old, 'prod main');
    expect(accepted.has(old)).toBe(true);
    expect(await issuer().find(SecretValue.of(old), signal())).toEqual({ id, status: 'active' });
    expect(api.requests.filter((r) => r.startsWith('GET /v1/organizations/api_keys?')).length).toBeGreaterThanOrEqual(2); // paged
    expect(await issuer().retire(SecretValue.of(old), signal())).toEqual({ id, status: 'inactive' });
    expect(api.status(id)).toBe('inactive');
    expect(accepted.has(old)).toBe(false);
    expect(await issuer().retire(SecretValue.of(old), signal())).toEqual({ id, status: 'inactive' });
    expect(await issuer().unretire!(SecretValue.of(old), signal())).toEqual({ id, status: 'active' });
    expect(accepted.has(old)).toBe(true);
    expect(await issuer().find(SecretValue.of(antKey()), signal())).toBeNull();
  });

  test('errors: a wrong admin key (401), a read-only admin key naming the permission (403), the API down (retryable); no key in any message', async () => {
    const v = antKey();
    api.addKey(v);
    const e401 = await issuer('sk-ant-admin01-wrong').retire(SecretValue.of(v), signal()).catch((e: unknown) => e);
    expect(isRekeyError(e401) && e401.code).toBe('ISSUER_AUTH');
    const e403 = await issuer(READONLY).retire(SecretValue.of(v), signal()).catch((e: unknown) => e);
    expect(isRekeyError(e403) && e403.code).toBe('ISSUER_PERMISSION');
    expect(isRekeyError(e403) && e403.hint).toMatch(/permission to read and update API keys/);
    api.down(1);
    const down = await issuer().find(SecretValue.of(v), signal()).catch((e: unknown) => e);
    expect(isRekeyError(down) && down.code).toBe('ISSUER_FAILED');
    expect((down as { retryable?: boolean }).retryable).toBe(true);
    for (const e of [e401, e403, down]) expect(JSON.stringify({ m: (e as Error).message, h: (e as { hint?: string }).hint })).not.toMatch(new RegExp(`${ADMIN}|${READONLY}|${v}`));
    expect(await codeOf(issuer().retire(SecretValue.of(antKey()), signal()))).toBe('ISSUER_KEY_UNKNOWN');
  });
});

describe('openai-admin issuer', () => {
  let api: FakeOpenaiAdmin;
  beforeAll(async () => {
    api = await startFakeOpenaiAdmin({ project: 'proj_abc', serviceAccount: 'svc_acct_rekey', adminKeys: { [OAI_ADMIN]: 'admin', 'sk-admin-readonly': 'readOnly' } });
  });
  afterAll(() => api.close());
  const issuer = (extra: Record<string, unknown> = {}, key = OAI_ADMIN) =>
    createOpenaiAdminIssuer(openaiAdminIssuerConfig.parse({ kind: 'openai-admin', adminKey: { backend: 'local', ref: 'x' }, project: 'proj_abc', serviceAccount: 'svc_acct_rekey', baseUrl: api.url, ...extra }), async () => SecretValue.of(key));

  test('mints a key for the service account (with its expiry), finds it among many, deletes it on retire (then refused), retire again is a no-op', async () => {
    for (let i = 0; i < 120; i++) api.addKey(`sk-proj-${randomBytes(20).toString('hex')}`);
    const k = await issuer({ expiresIn: '90d' }).mint!('rekey-20261130', signal());
    expect(api.active.has(k.value.reveal())).toBe(true);
    expect(api.minted.at(-1)).toMatchObject({ id: k.id, name: 'rekey-20261130', expiresInSeconds: 90 * 86400 });
    expect(k.expiresAt).toMatch(/^20\d\d-/);
    expect(await issuer().find(k.value, signal())).toEqual({ id: k.id, status: 'active' });
    expect(await issuer().retire(k.value, signal())).toEqual({ id: k.id, status: 'deleted' });
    expect(api.active.has(k.value.reveal())).toBe(false);
    expect(await issuer().find(k.value, signal())).toBeNull();
    expect(await issuer().retire(k.value, signal())).toEqual({ id: 'unknown', status: 'deleted' });
  });

  test("a lease's ttl: the shorter of it and expiresIn is sent; the key stops working at the model API when it expires", async () => {
    const k = await issuer({ expiresIn: '90d' }).mint!('rekey-ci-gha-a', signal(), { ttlSeconds: 1 });
    expect(api.minted.at(-1)).toMatchObject({ id: k.id, expiresInSeconds: 1 });
    expect(api.active.has(k.value.reveal())).toBe(true);
    await new Promise((r) => setTimeout(r, 1300));
    expect(api.active.has(k.value.reveal())).toBe(false);
    await issuer({ expiresIn: '1d' }).mint!('rekey-ci-gha-b', signal(), { ttlSeconds: 7 * 86400 });
    expect(api.minted.at(-1)!.expiresInSeconds).toBe(86400);
  });

  test('a read-only admin key: mint refused naming the missing permission (403); a wrong one: 401; the API down: retryable', async () => {
    const e = await issuer({}, 'sk-admin-readonly').mint!('x', signal()).catch((x: unknown) => x);
    expect(isRekeyError(e) && e.code).toBe('ISSUER_PERMISSION');
    expect((e as Error).message).toMatch(/insufficient permissions/);
    expect(isRekeyError(e) && e.hint).toMatch(/project proj_abc/);
    expect(await codeOf(issuer({}, 'sk-wrong').mint!('x', signal()))).toBe('ISSUER_AUTH');
    api.down(1);
    const d = await issuer().mint!('x', signal()).catch((x: unknown) => x);
    expect(isRekeyError(d) && d.code).toBe('ISSUER_FAILED');
    expect((d as { retryable?: boolean }).retryable).toBe(true);
  });
});

describe('openrouter-admin issuer', () => {
  const MGMT = 'sk-or-v1-mgmt-' + 'c'.repeat(40);
  let api: FakeOpenrouterAdmin;
  beforeAll(async () => {
    api = await startFakeOpenrouterAdmin({ managementKeys: { [MGMT]: 'admin', 'sk-or-v1-readonly': 'readOnly' } });
  });
  afterAll(() => api.close());
  const issuer = (extra: Record<string, unknown> = {}, key = MGMT) =>
    createOpenrouterAdminIssuer(openrouterAdminIssuerConfig.parse({ kind: 'openrouter-admin', adminKey: { backend: 'local', ref: 'x' }, baseUrl: api.url, ...extra }), async () => SecretValue.of(key));

  test('mints (expiry and limit sent), finds it across pages by its label, retire → disabled and refused, unretire → enabled; both idempotent', async () => {
    const k = await issuer({ expiresIn: '30d', limit: 25 }).mint!('rekey-20261130', signal());
    for (let i = 0; i < 130; i++) api.addKey(`sk-or-v1-${randomBytes(32).toString('hex')}`); // newer keys: it is on page 2
    expect(api.active.has(k.value.reveal())).toBe(true);
    expect(api.minted.at(-1)).toMatchObject({ hash: k.id, name: 'rekey-20261130', limit: 25 });
    expect(Date.parse(api.minted.at(-1)!.expiresAt!) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    expect(k.expiresAt).toBe(api.minted.at(-1)!.expiresAt);
    expect(await issuer().find(k.value, signal())).toEqual({ id: k.id, status: 'active' });
    expect(api.requests.filter((r) => r.startsWith('GET /api/v1/keys?offset=100')).length).toBeGreaterThanOrEqual(1);
    expect(await issuer().retire(k.value, signal())).toEqual({ id: k.id, status: 'inactive' });
    expect(api.active.has(k.value.reveal())).toBe(false);
    expect(await issuer().retire(k.value, signal())).toEqual({ id: k.id, status: 'inactive' });
    expect(await issuer().find(k.value, signal())).toEqual({ id: k.id, status: 'inactive' });
    expect(await issuer().unretire!(k.value, signal())).toEqual({ id: k.id, status: 'active' });
    expect(api.active.has(k.value.reveal())).toBe(true);
    expect(await issuer().find(SecretValue.of(`sk-or-v1-${'0'.repeat(64)}`), signal())).toBeNull();
  });

  test("a lease's ttl: expires_at is the shorter of it and expiresIn", async () => {
    await issuer({ expiresIn: '30d' }).mint!('rekey-ci-gha-a', signal(), { ttlSeconds: 3600 });
    const at = Date.parse(api.minted.at(-1)!.expiresAt!) - Date.now();
    expect(at).toBeGreaterThan(3500_000);
    expect(at).toBeLessThanOrEqual(3600_000);
    await issuer({ expiresIn: '1d' }).mint!('rekey-ci-gha-b', signal(), { ttlSeconds: 30 * 86400 });
    expect(Date.parse(api.minted.at(-1)!.expiresAt!) - Date.now()).toBeLessThanOrEqual(86_400_000);
  });

  test('errors: a wrong key (401), a key that may not manage keys (403, named), the API down (retryable); never the key in a message', async () => {
    const e401 = await issuer({}, 'sk-or-v1-wrong').mint!('x', signal()).catch((x: unknown) => x);
    expect(isRekeyError(e401) && e401.code).toBe('ISSUER_AUTH');
    const e403 = await issuer({}, 'sk-or-v1-readonly').mint!('x', signal()).catch((x: unknown) => x);
    expect(isRekeyError(e403) && e403.code).toBe('ISSUER_PERMISSION');
    expect(isRekeyError(e403) && e403.hint).toMatch(/management/);
    api.down(1);
    const down = await issuer().mint!('x', signal()).catch((x: unknown) => x);
    expect(isRekeyError(down) && down.code).toBe('ISSUER_FAILED');
    expect((down as { retryable?: boolean }).retryable).toBe(true);
    for (const e of [e401, e403, down]) expect(JSON.stringify({ m: (e as Error).message, h: (e as { hint?: string }).hint })).not.toMatch(new RegExp(`${MGMT}|sk-or-v1-readonly|sk-or-v1-wrong`));
  });
});
