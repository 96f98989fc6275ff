import { z } from 'zod';
import type { BackendSpec } from '../../src/core/adapters.js';

/** The embedded default: an encrypted store on this machine's disk. */
export const localBackendConfig = z
  .strictObject({
    kind: z.literal('local'),
    /** store directory; default `$REKEY_HOME/store` */
    path: z.string().min(1).optional(),
    /** where the 32-byte key lives; default `<path>/key`; or set REKEY_LOCAL_KEY (base64) */
    keyFile: z.string().min(1).optional(),
  })
  .describe('Embedded encrypted store (AES-256-GCM), the default; coordinates this host only.');
export type LocalBackendConfig = z.infer<typeof localBackendConfig>;

declare module '../../src/core/adapters.js' {
  interface BackendConfigs { 'local': LocalBackendConfig }
}

export const localBackendSpec: BackendSpec<LocalBackendConfig> = { kind: 'local', capabilities: { nativeStages: true, checkAndSet: false, scope: 'local' } };
