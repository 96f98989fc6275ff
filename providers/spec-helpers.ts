import { z } from 'zod';
import type { Templater } from '../src/core/adapters.js';

/** An OpenClaw sink's or verifier's state dir and config path, templates filled and canonical. */
export function openclawPaths<T extends { stateDir?: string | undefined; configPath?: string | undefined }>(o: T, tpl: Templater): T {
  return {
    ...o,
    ...(o.stateDir ? { stateDir: tpl.path(o.stateDir) } : {}),
    ...(o.configPath ? { configPath: tpl.path(o.configPath) } : {}),
  };
}

export const noTouches = { files: [], keychainItems: [], profiles: [] };

/** How an adapter reaches one OpenClaw: its CLI, state dir and config, and a bound on every call. */
export const openclawCliFields = {
  /** argv prefix that runs the openclaw CLI, e.g. ["openclaw"] or ["/opt/node24/bin/node", "/opt/openclaw/openclaw.mjs"] */
  command: z.array(z.string().min(1)).min(1).default(['openclaw']),
  /** OPENCLAW_STATE_DIR of that OpenClaw, if not the default ~/.openclaw */
  stateDir: z.string().min(1).optional(),
  /** OPENCLAW_CONFIG_PATH, if not the default */
  configPath: z.string().min(1).optional(),
  timeoutMs: z.number().int().positive().max(300_000).default(60_000),
};

/** a credential rekey reads from one of its backends (an admin key, an HMAC key): never in the policy */
export const secretRef = z.strictObject({ backend: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/), ref: z.string().min(1) });

/** A service manager's restart bounds. */
export const restartFields = {
  /** how long to wait for the unit to be active again */
  startTimeoutMs: z.number().int().positive().max(600_000).default(30_000),
  /** how long it must stay up (same PID) to count as started */
  settleMs: z.number().int().nonnegative().max(60_000).default(1_500),
};

/** A network backend's bound on one request (rekey's retry layer repeats it). */
export const requestTimeoutMs = z.number().int().positive().max(120_000).default(10_000);

/** a service's unit or label: templates {agent} {env} filled */
export const resolveUnit = <C extends { unit: string }>(c: C, tpl: Templater): C => ({ ...c, unit: tpl.text(c.unit) });

/** a stored profile can be confirmed only by its masked hint in `models status` */
export const PROFILES_NEED_MODELS_STATUS = {
  profile: { message: 'OpenClaw never reveals a stored key: only its masked hint in models status can confirm the profile', hint: 'use verify: { kind: openclaw-models-status }' },
};

/** An admin API: its key (in a backend), its base URL, a bound on each call. */
export const adminApiFields = (defaultUrl: string) => ({
  /** the admin key: a backend and ref holding it (`rekey store`), never the policy */
  adminKey: secretRef,
  baseUrl: z.string().url().default(defaultUrl),
  timeoutMs: z.number().int().positive().max(120_000).default(15_000),
});
