import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createKeychainSink, keychainItem } from '../../providers/sinks/keychain.js';
import { createMemoryKeychainStore, createNativeKeychainStore } from '../../providers/sinks/keychain-store.js';
import { SecretValue } from '../../src/core/secret-value.js';
import { startSecretService, type SecretService } from '../harness/secret-service.js';
import { envFileTarget } from '../harness/targets.js';
import { sinkContract } from './sink.contract.js';

const sig = () => new AbortController().signal;
let ss: SecretService;
beforeAll(async () => {
  ss = await startSecretService();
  // @napi-rs/keyring reaches the Secret Service on this process's session bus
  process.env.DBUS_SESSION_BUS_ADDRESS = ss.env.DBUS_SESSION_BUS_ADDRESS;
});
afterAll(async () => {
  await ss?.stop();
});

const keychainTarget = (service = `rekey-test/${randomBytes(4).toString('hex')}/main`) =>
  envFileTarget('/nowhere', { sink: { kind: 'keychain', service } });

sinkContract('keychain (real Secret Service: gnome-keyring under dbus-run-session)', async () => ({
  sink: createKeychainSink(createNativeKeychainStore()),
  target: keychainTarget(),
}));

describe('keychain sink', () => {
  test('the item is the documented service/account, readable by another Secret Service client', async () => {
    const t = keychainTarget('rekey/prod/main');
    const sink = createKeychainSink(createNativeKeychainStore());
    await sink.write(t, SecretValue.of('sk-keychain-visible-000000000'), sig());
    expect(keychainItem(t).label).toBe('rekey/prod/main/ANTHROPIC_API_KEY');
    const { AsyncEntry } = await import('@napi-rs/keyring');
    expect(await new AsyncEntry('rekey/prod/main', 'ANTHROPIC_API_KEY').getPassword()).toBe('sk-keychain-visible-000000000');
  });

  test('a write whose read-back differs (truncated by the store) fails, naming fingerprints only', async () => {
    const store = createMemoryKeychainStore();
    store.corrupt = (v) => v.slice(0, 10);
    const sink = createKeychainSink(store);
    const err = await sink.write(keychainTarget(), SecretValue.of('sk-keychain-TRUNCATED-00000000'), sig()).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/reads back #[0-9a-f]{8} after writing sk-…000#[0-9a-f]{8}/); // 30 characters: 3 shown at each end
    expect((err as Error).message).not.toContain('TRUNCATED');
  });

  test('an empty value is refused', async () => {
    const sink = createKeychainSink(createMemoryKeychainStore());
    await expect(sink.write(keychainTarget(), SecretValue.of(''), sig())).rejects.toThrow(/empty value/);
  });
});
