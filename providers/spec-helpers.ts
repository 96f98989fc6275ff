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
