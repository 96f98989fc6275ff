import { z } from 'zod';
import type { VerifierSpec } from '../../src/core/adapters.js';
import { PROFILES_NEED_MODELS_STATUS, openclawCliFields, openclawPaths } from '../spec-helpers.js';

export const openclawSecretsAuditVerifierConfig = z
  .strictObject({
    kind: z.literal('openclaw-secrets-audit'),
    ...openclawCliFields,
    /** the OpenClaw agent id to check; default: the delivery's agent */
    agent: z.string().min(1).optional(),
  })
  .describe('For SecretRef deliveries: `openclaw secrets audit --json` (no unresolved refs) + `models status` (the SecretRef wins, nothing shadows it) + read-back.');
export type OpenclawSecretsAuditVerifierConfig = z.infer<typeof openclawSecretsAuditVerifierConfig>;

declare module '../../src/core/adapters.js' {
  interface VerifierConfigs { 'openclaw-secrets-audit': OpenclawSecretsAuditVerifierConfig }
}

export const openclawSecretsAuditVerifierSpec: VerifierSpec<OpenclawSecretsAuditVerifierConfig> = {
  kind: 'openclaw-secrets-audit',
  layers: ['provider-key'],
  wrongLayer: 'openclaw-secrets-audit verifies provider keys, not the Gateway token',
  cannotVerify: PROFILES_NEED_MODELS_STATUS,
  resolve: openclawPaths,
};
