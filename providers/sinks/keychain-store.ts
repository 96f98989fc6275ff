/**
 * The keychain as a port: get/set/delete one generic-password item by service + account.
 * The real one is @napi-rs/keyring (macOS Keychain; the Secret Service over D-Bus on Linux):
 * values cross the native API, never a command line (`security add-generic-password -w VALUE`
 * would put the value in argv, visible in `ps`).
 */
import { DeliveryError } from '../../src/core/errors.js';

export interface KeychainStore {
  get(service: string, account: string, signal?: AbortSignal): Promise<string | null>;
  set(service: string, account: string, value: string, signal?: AbortSignal): Promise<void>;
  /** true if an item was deleted, false if there was none */
  delete(service: string, account: string, signal?: AbortSignal): Promise<boolean>;
}

/** The keyring's errors name the platform failure; keep the first line only, never more. */
export function keychainError(op: string, item: string, e: unknown): DeliveryError {
  const msg = String((e as Error)?.message ?? e).split('\n')[0]!.slice(0, 200);
  return new DeliveryError('KEYCHAIN_FAILED', `keychain ${op} of ${item} failed: ${msg}`, {
    hint:
      process.platform === 'darwin'
        ? 'is the login keychain unlocked (security unlock-keychain)?'
        : 'is a Secret Service running and unlocked on this D-Bus session (DBUS_SESSION_BUS_ADDRESS; gnome-keyring-daemon --unlock --components=secrets)?',
  });
}

/** @napi-rs/keyring, loaded on first use (a native module: only policies that use the keychain pay for it). */
export function createNativeKeychainStore(): KeychainStore {
  type Mod = typeof import('@napi-rs/keyring');
  let mod: Promise<Mod> | undefined;
  const entry = async (service: string, account: string) => {
    const { AsyncEntry } = await (mod ??= import('@napi-rs/keyring'));
    return new AsyncEntry(service, account, { linux: { store: 'secret-service' } });
  };
  const item = (s: string, a: string) => `${s}/${a}`;
  return {
    async get(service, account, signal) {
      try {
        return await (await entry(service, account)).getPassword(signal);
      } catch (e) {
        throw keychainError('read', item(service, account), e);
      }
    },
    async set(service, account, value, signal) {
      try {
        await (await entry(service, account)).setPassword(value, signal);
      } catch (e) {
        throw keychainError('write', item(service, account), e);
      }
    },
    async delete(service, account, signal) {
      try {
        return await (await entry(service, account)).deleteCredential(signal);
      } catch (e) {
        throw keychainError('delete', item(service, account), e);
      }
    },
  };
}

/** In-memory keychain for unit tests of code that uses the port. `corrupt` makes a write store something else. */
export function createMemoryKeychainStore(): KeychainStore & { items: Map<string, string>; corrupt: ((v: string) => string) | null } {
  const items = new Map<string, string>();
  const k = (s: string, a: string) => `${s}\u0000${a}`;
  const store = {
    items,
    corrupt: null as ((v: string) => string) | null,
    async get(s: string, a: string) {
      return items.get(k(s, a)) ?? null;
    },
    async set(s: string, a: string, v: string) {
      items.set(k(s, a), store.corrupt ? store.corrupt(v) : v);
    },
    async delete(s: string, a: string) {
      return items.delete(k(s, a));
    },
  };
  return store;
}
