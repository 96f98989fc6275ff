import { z } from 'zod';
import type { IssuerSpec } from '../../src/core/adapters.js';
import { adminApiFields } from '../spec-helpers.js';

export const anthropicAdminIssuerConfig = z
  .strictObject({
    kind: z.literal('anthropic-admin'),
    ...adminApiFields('https://api.anthropic.com'),
  })
  .describe('Anthropic Admin API: keys cannot be created there (minting stays in the Console: use the standby pool); rekey retires the old key (status inactive), reactivates it on a later rollback, and checks a key is active before delivering it.');
export type AnthropicAdminIssuerConfig = z.infer<typeof anthropicAdminIssuerConfig>;

declare module '../../src/core/adapters.js' {
  interface IssuerConfigs { 'anthropic-admin': AnthropicAdminIssuerConfig }
}

export const anthropicAdminIssuerSpec: IssuerSpec<AnthropicAdminIssuerConfig> = { kind: 'anthropic-admin', layers: ['provider-key'], providers: ['anthropic'] };
