import { DeliveryError, InternalError, UnsafeError } from '../../src/core/errors.js';
import { childMessage } from '../../src/core/child-output.js';
import type { Exec, Sink } from '../../src/core/ports.js';
import { SecretValue } from '../../src/core/secret-value.js';
import type { Target } from '../../src/core/target.js';
import { runOpenclaw } from '../openclaw/cli.js';
import { configPathOf, readOpenclawConfig, type OpenclawConfig } from '../openclaw/config.js';
import type { OpenclawConfigTokenSinkConfig } from './openclaw-config-token.schema.js';
import { snapshotValue, valueSnapshot } from './value-snapshot.js';

const config = (t: Target): OpenclawConfigTokenSinkConfig => {
  if (t.sink.kind !== 'openclaw-config-token') throw new InternalError(`target ${t.id} is not a config-token target`);
  return t.sink;
};
const held = (doc: OpenclawConfig | null, field: 'auth' | 'remote'): unknown => doc?.gateway?.[field]?.token;

/**
 * The Gateway token inside openclaw.json, only through `openclaw config patch --stdin` (the token
 * never in argv): `gateway.auth.token` on the Gateway's host (it applies live: the old token is
 * refused about a second later), `gateway.remote.token` in a client's config. Snapshot = the
 * token there before (or its absence); restore patches it back (null deletes the path).
 */
export function createOpenclawConfigTokenSink(deps: { exec: Exec; baseEnv: Record<string, string>; home: string }): Sink {
  const path = (t: Target) => configPathOf(config(t), deps.home);
  const current = async (t: Target) => {
    const v = held(await readOpenclawConfig(path(t)), config(t).field);
    if (v !== undefined && v !== null && typeof v !== 'string') {
      throw new UnsafeError('GATEWAY_TOKEN_IS_SECRETREF', `gateway.${config(t).field}.token in ${path(t)} is a SecretRef: writing a string there would replace it`, {
        hint: 'deliver to the file behind that SecretRef (openclaw-secretref-file) instead',
      });
    }
    return typeof v === 'string' && v !== '' ? SecretValue.of(v) : null;
  };
  const patch = async (t: Target, token: string | null, signal: AbortSignal) => {
    const c = config(t);
    const body = JSON.stringify({ gateway: { [c.field]: { token } } });
    const r = await runOpenclaw(deps.exec, c, ['config', 'patch', '--stdin'], { baseEnv: deps.baseEnv, stdin: body, timeoutMs: c.timeoutMs, signal });
    if (r.code !== 0) {
      // scrubbed (the token, every value handed to the child) before it is cut
      const msg = childMessage(r, token ? [SecretValue.of(token)] : []);
      throw new DeliveryError('CONFIG_PATCH_FAILED', `openclaw config patch of gateway.${c.field}.token in ${path(t)} failed (exit ${r.code}): ${msg}`);
    }
  };
  return {
    kind: 'openclaw-config-token',
    async check(t) {
      const doc = await readOpenclawConfig(path(t));
      await current(t);
      const c = config(t);
      if (c.field === 'auth') {
        const mode = doc?.gateway?.auth?.mode;
        if (mode !== undefined && mode !== 'token') {
          throw new UnsafeError('GATEWAY_AUTH_NOT_TOKEN', `${path(t)}: gateway.auth.mode is "${String(mode)}": a token rekey writes would not be in effect`, { hint: 'set gateway.auth.mode to token first' });
        }
      } else if (!doc?.gateway?.remote?.url) {
        throw new UnsafeError('NO_REMOTE_URL', `${path(t)} has no gateway.remote.url: this client config would not use gateway.remote.token`, { hint: 'openclaw config set gateway.remote.url ws://…' });
      }
    },
    async snapshot(t) {
      const v = await current(t);
      return valueSnapshot(t, v ?? null);
    },
    async write(t, value, signal) {
      if (value.length === 0) throw new DeliveryError('EMPTY_TOKEN', 'refusing to write an empty Gateway token');
      const now = await current(t);
      if (now && now.equals(value)) return { changed: false };
      await patch(t, value.reveal(), signal);
      const back = await current(t);
      if (!back || !back.equals(value)) throw new DeliveryError('CONFIG_TOKEN_READBACK', `gateway.${config(t).field}.token in ${path(t)} reads back ${back?.fingerprint ?? 'nothing'} after writing ${value.fingerprint}`);
      return { changed: true };
    },
    async restore(t, snap, signal) {
      const old = snapshotValue(snap);
      const now = await current(t);
      if (old === null) {
        if (!now) return { changed: false };
        await patch(t, null, signal);
        return { changed: true };
      }
      if (now && now.equals(old)) return { changed: false };
      await patch(t, old.reveal(), signal);
      return { changed: true };
    },
    read: (t) => current(t),
  };
}
