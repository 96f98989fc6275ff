import { z } from 'zod';
import { ENV_NAME } from '../../src/core/env-name.js';
import type { SinkSpec } from '../../src/core/adapters.js';

export { ENV_NAME };

export const systemdEnvFileSinkConfig = z
  .strictObject({
    kind: z.literal('systemd-env-file'),
    /** the file the unit reads via EnvironmentFile= (OpenClaw: <stateDir>/gateway.systemd.env) or ~/.openclaw/.env; templates {agent} {env} */
    path: z.string().min(1),
    /** the variable to set; default: the secret's envVar */
    key: z.string().regex(ENV_NAME, 'must be a valid environment variable name').optional(),
    /** numeric uid or user name that must own the file; default: the user rekey runs as */
    owner: z.union([z.number().int().nonnegative(), z.string().min(1)]).optional(),
    /** also remove stale alternates of a provider key (<P>_API_KEYS, <P>_API_KEY_*, OPENCLAW_LIVE_<P>_KEY) */
    removeAlternates: z.boolean().default(true),
  })
  .describe("An EnvironmentFile= of the Gateway's user unit; needs a restart.");
export type SystemdEnvFileSinkConfig = z.infer<typeof systemdEnvFileSinkConfig>;

declare module '../../src/core/adapters.js' {
  interface SinkConfigs { 'systemd-env-file': SystemdEnvFileSinkConfig }
}

export const systemdEnvFileSinkSpec: SinkSpec<SystemdEnvFileSinkConfig> = {
  kind: 'systemd-env-file',
  layers: ['provider-key', 'gateway-token'],
  reads: () => 'env-file',
  handsOut: true,
  resolve: (c, tpl) => ({ ...c, path: tpl.path(c.path) }),
  envKey: (c) => c.key,
  touches: (c) => ({ files: [c.path], keychainItems: [], profiles: [] }),
  describe: (c) => c.path,
  needsService: () => ({ path: 'service', message: 'an env file is read only when the service starts, so it needs a service to restart', hint: 'name the unit that reads this file under services:' }),
  source: (c) => ({ kind: 'process-env', where: c.path }),
  places: (c, envVar) => [`${c.path}#${c.key ?? envVar}`],
};
