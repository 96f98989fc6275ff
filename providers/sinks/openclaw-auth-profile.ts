import { DeliveryError, InternalError, UnsafeError, UsageError } from '../../src/core/errors.js';
import { childMessage } from '../../src/core/child-output.js';
import type { Exec, Sink } from '../../src/core/ports.js';
import { SecretValue } from '../../src/core/secret-value.js';
import type { Target } from '../../src/core/target.js';
import { parseCliJson, runOpenclaw } from '../openclaw/cli.js';
import type { OpenclawAuthProfileSinkConfig } from './openclaw-auth-profile.schema.js';
import { snapshotValue, valueSnapshot } from './value-snapshot.js';

const config = (t: Target): OpenclawAuthProfileSinkConfig => {
  if (t.sink.kind !== 'openclaw-auth-profile') throw new InternalError(`target ${t.id} is not an auth-profile target`);
  return t.sink;
};
export const profileAgent = (t: Target) => config(t).agent ?? t.agent;

/**
 * OpenClaw's stored auth profiles, only through its CLI (never its SQLite or auth-profiles.json):
 * `models auth logout <id> --yes` first (re-pasting under the same id does not clear a cooldown
 * the old key earned), then `models auth paste-api-key --provider P --profile-id ID --agent A` with
 * the key on stdin. A running Gateway picks the profile up without a restart.
 *
 * OpenClaw never reveals a stored key, so the snapshot records whether the profile existed plus
 * the value rekey delivered before (the backend's current version, which the pre-flight baseline
 * proved is what the consumer uses); restore re-pastes it, or logs the profile out if there was
 * none. `read` returns null: the consumer check is the models-status verifier's masked hint.
 */
export function createOpenclawAuthProfileSink(deps: { exec: Exec; baseEnv: Record<string, string> }): Sink {
  const cli = (t: Target, args: string[], signal: AbortSignal, stdin?: string) =>
    runOpenclaw(deps.exec, config(t), [...args, '--agent', profileAgent(t)], { baseEnv: deps.baseEnv, timeoutMs: config(t).timeoutMs, signal, ...(stdin !== undefined ? { stdin } : {}) });
  const exists = async (t: Target, signal: AbortSignal): Promise<boolean> => {
    const r = await cli(t, ['models', 'auth', 'list', '--json'], signal);
    const out = parseCliJson<{ profiles?: { id?: string }[] }>(r.stdout);
    if (r.code !== 0 || !out) throw new DeliveryError('AUTH_PROFILE_LIST_FAILED', `openclaw models auth list failed (exit ${r.code}): ${childMessage(r)}`);
    return (out.profiles ?? []).some((p) => p.id === config(t).profileId);
  };
  const logout = async (t: Target, signal: AbortSignal) => {
    const r = await cli(t, ['models', 'auth', 'logout', config(t).profileId, '--yes'], signal);
    if (r.code !== 0) throw new DeliveryError('AUTH_PROFILE_LOGOUT_FAILED', `openclaw models auth logout ${config(t).profileId} failed (exit ${r.code}): ${childMessage(r)}`);
  };
  const paste = async (t: Target, value: SecretValue, signal: AbortSignal) => {
    if (value.length === 0) throw new DeliveryError('AUTH_PROFILE_EMPTY_VALUE', `refusing to store an empty key in profile ${config(t).profileId}`);
    if (await exists(t, signal)) await logout(t, signal);
    const r = await cli(t, ['models', 'auth', 'paste-api-key', '--provider', t.provider ?? '', '--profile-id', config(t).profileId], signal, value.reveal());
    if (r.code !== 0) throw new DeliveryError('AUTH_PROFILE_PASTE_FAILED', `openclaw models auth paste-api-key for ${config(t).profileId} (agent ${profileAgent(t)}) failed (exit ${r.code}): ${childMessage(r, [value])}`);
  };
  return {
    kind: 'openclaw-auth-profile',
    accepts(t, value) {
      // paste-api-key reads one line from stdin
      if (value.length === 0 || /[\0-\x1f\x7f]/.test(value.reveal())) {
        throw new UsageError('UNSAFE_VALUE', `the value for profile ${config(t).profileId} (${value.fingerprint}) is empty or holds a newline or control character: paste-api-key reads one line`);
      }
    },
    async check(t, signal) {
      try {
        await exists(t, signal);
      } catch (e) {
        throw new UnsafeError('OPENCLAW_UNAVAILABLE', (e as Error).message, { hint: 'is the sink command the openclaw of this deployment (stateDir, configPath)?' });
      }
    },
    async snapshot(t, signal, previous) {
      const had = await exists(t, signal);
      if (had && !previous) {
        throw new DeliveryError('AUTH_PROFILE_UNKNOWN_VALUE', `profile ${config(t).profileId} exists but rekey has no previous value to restore it with`, {
          hint: `rekey put ${t.secret} --env ${t.env} --stdin with the key it holds, rotate to it, then rotate again`,
        });
      }
      return valueSnapshot(t, had ? previous! : null);
    },
    async write(t, value, signal) {
      await paste(t, value, signal);
      return { changed: true };
    },
    async restore(t, snap, signal) {
      const old = snapshotValue(snap);
      if (old !== null) {
        await paste(t, old, signal);
        return { changed: true };
      }
      if (!(await exists(t, signal))) return { changed: false };
      await logout(t, signal);
      return { changed: true };
    },
    async read() {
      return null;
    },
  };
}
