import { z } from 'zod';
import type { SinkSpec } from '../../src/core/adapters.js';
import { openclawCliFields, openclawPaths } from '../spec-helpers.js';
import { ENV_NAME } from '../../src/core/env-name.js';

export const keychainSinkConfig = z
  .strictObject({
    kind: z.literal('keychain'),
    /**
     * the item's service name; templates {secret} {env} {agent} {provider}. One item per agent ×
     * environment × variable: service `rekey/{env}/{agent}`, account = the variable name.
     */
    service: z.string().min(1).default('rekey/{env}/{agent}'),
    /** the variable the consumer gets (`rekey exec`) and the item's account; default: the secret's envVar */
    key: z.string().regex(ENV_NAME, 'must be a valid environment variable name').optional(),
    /**
     * for an OpenClaw exec SecretRef that resolves the item through `rekey openclaw resolve`:
     * after every write and restore, `openclaw secrets reload` (no restart)
     */
    reload: z
      .strictObject(openclawCliFields)
      .optional(),
  })
  .describe('An OS keychain item (macOS Keychain, the Secret Service on Linux); the service reads it at start through `rekey exec`.');
export type KeychainSinkConfig = z.infer<typeof keychainSinkConfig>;

declare module '../../src/core/adapters.js' {
  interface SinkConfigs { keychain: KeychainSinkConfig }
}

export const keychainSinkSpec: SinkSpec<KeychainSinkConfig> = {
  kind: 'keychain',
  layers: ['provider-key', 'gateway-token'],
  // with reload: an OpenClaw exec SecretRef in the config resolves the item (rekey openclaw resolve)
  reads: (c) => (c.reload ? 'secretref' : 'exec-env'),
  handsOut: true,
  resolve: (c, tpl) => ({ ...c, service: tpl.text(c.service), ...(c.reload ? { reload: openclawPaths(c.reload, tpl) } : {}) }),
  envKey: (c) => c.key,
  touches: (c, t) => ({ files: [], keychainItems: [`${c.service}/${c.key ?? t.envVar}`], profiles: [] }),
  describe: (c) => c.service,
  needsService: (c) =>
    c.reload ? null : { path: 'service', message: 'a keychain item reaches a process only at its start (rekey exec) or through an OpenClaw exec SecretRef', hint: 'name the service that starts through rekey exec, or add sink.reload for an exec SecretRef' },
  source: (c, t) => (c.reload ? { kind: 'config-apikey' } : { kind: 'rekey-exec', where: `${c.service}/${c.key ?? t.envVar}` }),
};
