import { z } from 'zod';
import type { VerifierSpec } from '../../src/core/adapters.js';
import { openclawPaths } from '../spec-helpers.js';

export const openclawSecretsAuditVerifierConfig = z
  .strictObject({
    kind: z.literal('openclaw-secrets-audit'),
    command: z.array(z.string().min(1)).min(1).default(['openclaw']),
    stateDir: z.string().min(1).optional(),
    configPath: z.string().min(1).optional(),
    /** the OpenClaw agent id to check; default: the delivery's agent */
    agent: z.string().min(1).optional(),
    timeoutMs: z.number().int().positive().max(300_000).default(60_000),
  })
  .describe('For SecretRef deliveries: `openclaw secrets audit --json` (no unresolved refs) + `models status` (the SecretRef wins, nothing shadows it) + read-back.');
export type OpenclawSecretsAuditVerifierConfig = z.infer<typeof openclawSecretsAuditVerifierConfig>;

declare module '../../src/core/adapters.js' {
  interface VerifierConfigs {
    'openclaw-secrets-audit': OpenclawSecretsAuditVerifierConfig;
  }
}

export const openclawSecretsAuditVerifierSpec: VerifierSpec<OpenclawSecretsAuditVerifierConfig> = {
  kind: 'openclaw-secrets-audit',
  layers: ['provider-key'],
  wrongLayer: 'openclaw-secrets-audit verifies provider keys, not the Gateway token',
  cannotVerify: { profile: { message: 'OpenClaw never reveals a stored key: only its masked hint in models status can confirm the profile', hint: 'use verify: { kind: openclaw-models-status }' } },
  resolve: openclawPaths,
};
