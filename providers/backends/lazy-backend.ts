import type { BackendCapabilities, SecretBackend, StandbyPool } from '../../src/core/ports.js';

/**
 * A backend whose adapter (and SDK) is imported on first use, so commands and policies that never
 * touch it do not pay its start-up cost.
 */
export function lazyBackend(kind: string, caps: BackendCapabilities, load: () => Promise<SecretBackend>): SecretBackend {
  let p: Promise<SecretBackend> | undefined;
  const get = () => (p ??= load());
  const standby = async () => {
    const b = await get();
    if (!b.standby) throw new Error(`backend ${kind} keeps no standby pool`);
    return b.standby;
  };
  const pool: StandbyPool = {
    add: async (...a) => (await standby()).add(...a),
    list: async (...a) => (await standby()).list(...a),
    read: async (...a) => (await standby()).read(...a),
    remove: async (...a) => (await standby()).remove(...a),
  };
  return {
    kind,
    standby: pool,
    capabilities: () => caps,
    read: async (...a) => (await get()).read(...a),
    stage: async (...a) => (await get()).stage(...a),
    promote: async (...a) => (await get()).promote(...a),
    discard: async (...a) => (await get()).discard(...a),
    versions: async (...a) => (await get()).versions(...a),
    checkWritable: async (...a) => (await get()).checkWritable?.(...a),
    remove: async (...a) => {
      const b = await get();
      if (!b.remove) throw new Error(`backend ${kind} cannot delete a ref`);
      return b.remove(...a);
    },
    writeAnchor: async (...a) => {
      const b = await get();
      if (!b.writeAnchor) throw new Error(`backend ${kind} keeps no audit anchor`);
      return b.writeAnchor(...a);
    },
    readAnchor: async (...a) => {
      const b = await get();
      return b.readAnchor ? b.readAnchor(...a) : null;
    },
  };
}
