import { z } from 'zod';
import { ENV_NAME } from './systemd-env-file.schema.js';

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
      .strictObject({
        command: z.array(z.string().min(1)).min(1).default(['openclaw']),
        stateDir: z.string().min(1).optional(),
        configPath: z.string().min(1).optional(),
        timeoutMs: z.number().int().positive().max(300_000).default(60_000),
      })
      .optional(),
  })
  .describe('An OS keychain item (macOS Keychain, the Secret Service on Linux); the service reads it at start through `rekey exec`.');
export type KeychainSinkConfig = z.infer<typeof keychainSinkConfig>;
