import { z } from 'zod';
import type { VerifierSpec } from '../../src/core/adapters.js';
import { PROFILES_NEED_MODELS_STATUS } from '../spec-helpers.js';

export const noneVerifierConfig = z
  .strictObject({
    kind: z.literal('none'),
    /** why this delivery cannot be verified at the consumer; shown in every plan */
    reason: z.string().min(10),
  })
  .describe('No consumer check (say why). Promotion then rests on the read-back alone.');
export type NoneVerifierConfig = z.infer<typeof noneVerifierConfig>;

declare module '../../src/core/adapters.js' {
  interface VerifierConfigs { none: NoneVerifierConfig }
}

export const noneVerifierSpec: VerifierSpec<NoneVerifierConfig> = {
  kind: 'none',
  layers: ['provider-key', 'gateway-token'],
  cannotVerify: PROFILES_NEED_MODELS_STATUS,
  resolve: (c) => c,
  unverified: (c) => c.reason,
};
