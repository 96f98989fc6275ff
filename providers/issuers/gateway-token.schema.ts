import { z } from 'zod';
import type { IssuerSpec } from '../../src/core/adapters.js';

export const gatewayTokenIssuerConfig = z
  .strictObject({
    kind: z.literal('gateway-token'),
    /** random bytes per token (base64url); 32 = 256 bits, the least accepted */
    bytes: z.number().int().min(32).max(128).default(32),
  })
  .describe("The Gateway's shared token, minted by rekey itself from the CSPRNG (the default of every gateway-token secret, named here to set its size). Retiring the old token is the Gateway refusing it after the restart, which the openclaw-gateway-probe verifier checks before the promote.");
export type GatewayTokenIssuerConfig = z.infer<typeof gatewayTokenIssuerConfig>;

declare module '../../src/core/adapters.js' {
  interface IssuerConfigs { 'gateway-token': GatewayTokenIssuerConfig }
}

export const gatewayTokenIssuerSpec: IssuerSpec<GatewayTokenIssuerConfig> = { kind: 'gateway-token', layers: ['gateway-token'], providers: [] };
