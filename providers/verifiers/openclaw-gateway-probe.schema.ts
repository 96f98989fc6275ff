import { z } from 'zod';
import type { VerifierSpec } from '../../src/core/adapters.js';
import { PROFILES_NEED_MODELS_STATUS, openclawCliFields, openclawPaths } from '../spec-helpers.js';

export const openclawGatewayProbeVerifierConfig = z
  .strictObject({
    kind: z.literal('openclaw-gateway-probe'),
    /**
     * server: an RPC probe of the Gateway on this host (`gateway health --json --port P`)
     * must pass with the new token and be refused with the old one. client: the client's own
     * OpenClaw (its config, and for a service its environment) reaches the Gateway
     * (`gateway health --json`).
     */
    role: z.enum(['server', 'client']),
    /** server: the Gateway's port on loopback */
    port: z.number().int().min(1).max(65535).optional(),
    ...openclawCliFields,
    /**
     * how long to wait for a Gateway that does not answer yet (it serves RPC 15–30 s after a
     * restart on a small host): probes are repeated until it answers; a token refusal ends the wait
     */
    readyTimeoutMs: z.number().int().min(0).max(600_000).default(60_000),
  })
  .describe('The Gateway token at work: an RPC probe of the Gateway with the new token (and the old one refused), or a client reaching it.');
export type OpenclawGatewayProbeVerifierConfig = z.infer<typeof openclawGatewayProbeVerifierConfig>;

declare module '../../src/core/adapters.js' {
  interface VerifierConfigs { 'openclaw-gateway-probe': OpenclawGatewayProbeVerifierConfig }
}

export const openclawGatewayProbeVerifierSpec: VerifierSpec<OpenclawGatewayProbeVerifierConfig> = {
  kind: 'openclaw-gateway-probe',
  layers: ['gateway-token'],
  wrongLayer: 'openclaw-gateway-probe verifies the Gateway token, not provider keys',
  cannotVerify: PROFILES_NEED_MODELS_STATUS,
  resolve: openclawPaths,
  tokenRole: (c) => c.role,
};
