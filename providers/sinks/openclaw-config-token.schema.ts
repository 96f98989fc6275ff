import { z } from 'zod';
import type { SinkSpec } from '../../src/core/adapters.js';
import { openclawCliFields, openclawPaths } from '../spec-helpers.js';

export const openclawConfigTokenSinkConfig = z
  .strictObject({
    kind: z.literal('openclaw-config-token'),
    /** auth: the Gateway's own gateway.auth.token (server); remote: a client's gateway.remote.token */
    field: z.enum(['auth', 'remote']),
    ...openclawCliFields,
  })
  .describe('The Gateway token in openclaw.json (gateway.auth.token or a client\'s gateway.remote.token), through `openclaw config patch --stdin`: no restart.');
export type OpenclawConfigTokenSinkConfig = z.infer<typeof openclawConfigTokenSinkConfig>;

declare module '../../src/core/adapters.js' {
  interface SinkConfigs { 'openclaw-config-token': OpenclawConfigTokenSinkConfig }
}

export const openclawConfigTokenSinkSpec: SinkSpec<OpenclawConfigTokenSinkConfig> = {
  kind: 'openclaw-config-token',
  layers: ['gateway-token'],
  wrongLayer: 'openclaw-config-token writes the Gateway token, not provider keys',
  reads: () => 'config',
  resolve: (c, tpl) => openclawPaths({ ...c }, tpl),
  touches: (c) => ({ files: [c.configPath ?? `${c.stateDir ?? '~/.openclaw'}/openclaw.json`], keychainItems: [], profiles: [] }),
  describe: (c) => `gateway.${c.field}.token`,
  source: () => null,
  tokenRole: (c) => (c.field === 'auth' ? 'server' : 'client'),
};
