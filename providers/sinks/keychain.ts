import { DeliveryError, InternalError, UnsafeError } from '../../src/core/errors.js';
import type { Sink } from '../../src/core/ports.js';
import { SecretValue } from '../../src/core/secret-value.js';
import type { Target } from '../../src/core/target.js';
import type { KeychainSinkConfig } from './keychain.schema.js';
import type { KeychainStore } from './keychain-store.js';
import { snapshotValue, valueSnapshot } from './value-snapshot.js';

const config = (t: Target): KeychainSinkConfig => {
  if (t.sink.kind !== 'keychain') throw new InternalError(`target ${t.id} is not a keychain target`);
  return t.sink;
};

/** The item a target lives in: service from the policy (templates filled), account = the variable name. */
export function keychainItem(t: Target): { service: string; account: string; label: string } {
  const service = config(t).service;
  return { service, account: t.envVar, label: `${service}/${t.envVar}` };
}

/**
 * One keychain item per agent × environment × variable. `write` reads the item back and compares
 * fingerprints before it reports success: an empty, truncated or foreign item is a failure.
 * Snapshots hold the previous item (or its absence) for an exact restore.
 */
export function createKeychainSink(store: KeychainStore, reload?: (t: Target, signal: AbortSignal) => Promise<void>): Sink {
  const reloaded = async (t: Target, signal: AbortSignal) => {
    if (config(t).reload && reload) await reload(t, signal);
  };
  const get = async (t: Target, signal: AbortSignal) => {
    const { service, account } = keychainItem(t);
    const v = await store.get(service, account, signal);
    return v === null ? null : SecretValue.of(v);
  };
  const put = async (t: Target, value: SecretValue, signal: AbortSignal) => {
    const { service, account, label } = keychainItem(t);
    if (value.length === 0) throw new DeliveryError('KEYCHAIN_EMPTY_VALUE', `refusing to store an empty value in keychain item ${label}`);
    await store.set(service, account, value.reveal(), signal);
    const back = await get(t, signal);
    if (!back || !back.equals(value)) {
      throw new DeliveryError('KEYCHAIN_READBACK_MISMATCH', `keychain item ${label} reads back ${back ? back.fingerprint : 'nothing'} after writing ${value.fingerprint}`, {
        hint: 'another program may be writing the same item, or the keychain truncated the value',
      });
    }
  };
  return {
    kind: 'keychain',
    async check(t, signal) {
      try {
        await get(t, signal);
      } catch (e) {
        const err = e as DeliveryError;
        throw new UnsafeError('KEYCHAIN_UNAVAILABLE', err.message, { ...(err.hint ? { hint: err.hint } : {}) });
      }
    },
    async snapshot(t, signal) {
      const v = await get(t, signal);
      return valueSnapshot(t, v);
    },
    async write(t, value, signal) {
      const now = await get(t, signal);
      if (now && now.equals(value)) return { changed: false };
      await put(t, value, signal);
      await reloaded(t, signal);
      return { changed: true };
    },
    async restore(t, snap, signal) {
      const old = snapshotValue(snap);
      const now = await get(t, signal);
      if (old === null) {
        if (now === null) return { changed: false };
        const { service, account } = keychainItem(t);
        await store.delete(service, account, signal);
        await reloaded(t, signal);
        return { changed: true };
      }
      if (now && now.equals(old)) return { changed: false };
      await put(t, old, signal);
      await reloaded(t, signal);
      return { changed: true };
    },
    read: get,
  };
}
