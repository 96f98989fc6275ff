import { z } from 'zod';
import type { VerifierSpec } from '../../src/core/adapters.js';
import { openclawCliFields, openclawPaths } from '../spec-helpers.js';

export const openclawModelsStatusVerifierConfig = z
  .strictObject({
    kind: z.literal('openclaw-models-status'),
    ...openclawCliFields,
    /** the OpenClaw agent id to check; default: the delivery's agent */
    agent: z.string().min(1).optional(),
    /**
     * after a restart, the consumer's process must have run this long, and still be the unit's
     * main process, before verification passes (a consumer that dies after its start fails it).
     * Choose it above the time your Gateway takes to fail on a bad credential.
     */
    aliveMs: z.number().int().min(0).max(600_000).default(5_000),
  })
  .describe("`openclaw models status --json --check --agent A`, run with the service's environment.");
export type OpenclawModelsStatusVerifierConfig = z.infer<typeof openclawModelsStatusVerifierConfig>;

declare module '../../src/core/adapters.js' {
  interface VerifierConfigs { 'openclaw-models-status': OpenclawModelsStatusVerifierConfig }
}

export const openclawModelsStatusVerifierSpec: VerifierSpec<OpenclawModelsStatusVerifierConfig> = {
  kind: 'openclaw-models-status',
  layers: ['provider-key'],
  wrongLayer: 'openclaw-models-status verifies provider keys, not the Gateway token',
  cannotVerify: { secretref: { message: 'models status shows no mask for a SecretRef (it reports it as indeterminate)', hint: 'use verify: { kind: openclaw-secrets-audit }' } },
  resolve: openclawPaths,
};
