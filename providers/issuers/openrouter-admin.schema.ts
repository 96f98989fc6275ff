import { z } from 'zod';
import type { IssuerSpec } from '../../src/core/adapters.js';
import { duration } from '../../src/policy/duration.js';
import { adminApiFields } from '../spec-helpers.js';

export const openrouterAdminIssuerConfig = z
  .strictObject({
    kind: z.literal('openrouter-admin'),
    /** minted keys expire upstream after this long (expires_at); default: no expiry */
    expiresIn: duration.optional(),
    /** a spending limit in USD for each minted key; default: none */
    limit: z.number().positive().optional(),
    ...adminApiFields('https://openrouter.ai'),
  })
  .describe('OpenRouter key management API (a management key): rekey mints keys, disables the old one when it is retired and re-enables it on a later rollback.');
export type OpenrouterAdminIssuerConfig = z.infer<typeof openrouterAdminIssuerConfig>;

declare module '../../src/core/adapters.js' {
  interface IssuerConfigs { 'openrouter-admin': OpenrouterAdminIssuerConfig }
}

export const openrouterAdminIssuerSpec: IssuerSpec<OpenrouterAdminIssuerConfig> = { kind: 'openrouter-admin', layers: ['provider-key'], providers: ['openrouter'] };
