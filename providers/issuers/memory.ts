import { BackendError } from '../../src/core/errors.js';
import type { Issuer, UpstreamStatus } from '../../src/core/ports.js';
import { SecretValue } from '../../src/core/secret-value.js';

/** The issuer fake: keys by value with a status; `down` makes the next calls fail like an unreachable admin API. */
export function createMemoryIssuer(can = { mint: true, retire: true, unretire: true }): Issuer & { keys: Map<string, { id: string; status: UpstreamStatus }>; down: Set<'mint' | 'retire' | 'find'>; add(v: SecretValue, status?: UpstreamStatus): void } {
  const keys = new Map<string, { id: string; status: UpstreamStatus }>();
  const down = new Set<'mint' | 'retire' | 'find'>();
  let n = 0;
  const unreachable = (what: string) => new BackendError('ISSUER_UNREACHABLE', `memory issuer: ${what} unreachable`, { retryable: true });
  return {
    kind: 'memory',
    can,
    keys,
    down,
    add: (v, status = 'active') => void keys.set(v.reveal(), { id: `key_${++n}`, status }),
    ...(can.mint
      ? {
          async mint() {
            if (down.has('mint')) throw unreachable('mint');
            const value = SecretValue.of(`sk-minted-${String(++n).padStart(4, '0')}-${'x'.repeat(24)}`);
            keys.set(value.reveal(), { id: `key_${n}`, status: 'active' });
            return { value, id: `key_${n}` };
          },
        }
      : {}),
    async find(v) {
      if (down.has('find')) throw unreachable('find');
      const k = keys.get(v.reveal());
      return k ? { ...k } : null;
    },
    async retire(v) {
      if (down.has('retire')) throw unreachable('retire');
      const k = keys.get(v.reveal());
      if (!k) return { id: 'unknown', status: 'deleted' };
      k.status = 'inactive';
      return { ...k };
    },
    async unretire(v) {
      const k = keys.get(v.reveal());
      if (!k) throw new BackendError('ISSUER_KEY_UNKNOWN', 'unknown key');
      k.status = 'active';
      return { ...k };
    },
  };
}
