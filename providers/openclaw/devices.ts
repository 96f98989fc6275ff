/**
 * Paired device tokens: separate credentials that survive a shared-token rotation (openclaw.md).
 * Listed through `openclaw devices list --json` and rotated through `openclaw devices rotate`.
 * A shared-token caller never receives the replacement bearer token (docs/cli/devices.md); if a
 * token ever appears in the answer it is reduced to its fingerprint here and never printed.
 */
import { BackendError } from '../../src/core/errors.js';
import { childMessage, scrubText } from '../../src/core/child-output.js';
import type { Exec } from '../../src/core/ports.js';
import { fingerprint } from '../../src/core/secret-value.js';
import type { PairedDevice } from '../../src/core/openclaw.js';
import { parseCliJson, runOpenclaw, type OpenclawTarget } from './cli.js';


type Raw = { deviceId?: string; id?: string; displayName?: string; label?: string; name?: string; roles?: string[]; role?: string; scopes?: string[] };

export async function listDevices(exec: Exec, o: OpenclawTarget, baseEnv: Record<string, string>, signal: AbortSignal): Promise<{ paired: PairedDevice[]; pending: number }> {
  const r = await runOpenclaw(exec, o, ['devices', 'list', '--json'], { baseEnv, timeoutMs: 60_000, signal });
  const out = parseCliJson<{ paired?: Raw[]; pending?: unknown[] }>(r.stdout);
  if (r.code !== 0 || !out) throw new BackendError('DEVICES_LIST_FAILED', `openclaw devices list failed (exit ${r.code}): ${childMessage(r)}`);
  const paired = (out.paired ?? []).map((d) => {
    const name = d.label ?? d.displayName ?? d.name;
    return { deviceId: String(d.deviceId ?? d.id ?? '?'), ...(name ? { name } : {}), roles: d.roles ?? (d.role ? [d.role] : []), scopes: Array.isArray(d.scopes) ? d.scopes.map(String) : [] };
  });
  return { paired, pending: out.pending?.length ?? 0 };
}

/** Redact every string field named like a token to its fingerprint. */
export function redactTokens(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(redactTokens);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeof x === 'string' && /token/i.test(k) ? fingerprint(x) : redactTokens(x)]));
  }
  return v;
}

export async function rotateDevice(exec: Exec, o: OpenclawTarget, baseEnv: Record<string, string>, device: string, role: string, signal: AbortSignal): Promise<unknown> {
  const r = await runOpenclaw(exec, o, ['devices', 'rotate', '--device', device, '--role', role, '--json'], { baseEnv, timeoutMs: 60_000, signal });
  const out = parseCliJson<Record<string, unknown>>(r.stdout);
  if (r.code !== 0 || !out || out.ok === false) {
    const err = scrubText((out?.error as { message?: string } | undefined)?.message ?? childMessage(r), r.secrets ?? []);
    throw new BackendError('DEVICE_ROTATE_FAILED', `openclaw devices rotate --device ${device} --role ${role} failed (exit ${r.code}): ${String(err).slice(0, 200)}`, { hint: 'openclaw devices list (is the device paired with that role?)' });
  }
  return redactTokens(out);
}

/** one `openclaw devices revoke|remove` call; a failure names the command, never a token */
async function deviceCommand(exec: Exec, o: OpenclawTarget, baseEnv: Record<string, string>, args: string[], signal: AbortSignal): Promise<void> {
  const r = await runOpenclaw(exec, o, ['devices', ...args, '--json'], { baseEnv, timeoutMs: 60_000, signal });
  const out = parseCliJson<Record<string, unknown>>(r.stdout);
  if (r.code !== 0 || out?.ok === false) {
    const err = scrubText((out?.error as { message?: string } | undefined)?.message ?? childMessage(r), r.secrets ?? []);
    throw new BackendError('DEVICE_COMMAND_FAILED', `openclaw devices ${args.join(' ')} failed (exit ${r.code}): ${String(err).slice(0, 200)}`, { hint: 'openclaw devices list (is it still paired?)' });
  }
}

export const revokeDevice = (exec: Exec, o: OpenclawTarget, baseEnv: Record<string, string>, device: string, role: string, signal: AbortSignal) => deviceCommand(exec, o, baseEnv, ['revoke', '--device', device, '--role', role], signal);
export const removeDevice = (exec: Exec, o: OpenclawTarget, baseEnv: Record<string, string>, device: string, signal: AbortSignal) => deviceCommand(exec, o, baseEnv, ['remove', device], signal);
