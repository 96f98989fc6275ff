import { z } from 'zod';
import type { IssuerSpec } from '../../src/core/adapters.js';
import { duration } from '../../src/policy/duration.js';
import { adminApiFields } from '../spec-helpers.js';

export const openaiAdminIssuerConfig = z
  .strictObject({
    kind: z.literal('openai-admin'),
    /** the project (proj_…) and its service account (svc_acct_…) whose keys rekey mints */
    project: z.string().regex(/^proj_[A-Za-z0-9]+$/, 'a project id such as proj_abc123'),
    serviceAccount: z.string().regex(/^svc_acct_[A-Za-z0-9]+$/, 'a service account id such as svc_acct_abc123'),
    /** minted keys expire upstream after this long (expires_in_seconds); default: no expiry */
    expiresIn: duration.optional(),
    ...adminApiFields('https://api.openai.com'),
  })
  .describe("OpenAI Admin API: rekey mints a key for a project's service account and deletes the old one when it is retired.");
export type OpenaiAdminIssuerConfig = z.infer<typeof openaiAdminIssuerConfig>;

declare module '../../src/core/adapters.js' {
  interface IssuerConfigs { 'openai-admin': OpenaiAdminIssuerConfig }
}

export const openaiAdminIssuerSpec: IssuerSpec<OpenaiAdminIssuerConfig> = { kind: 'openai-admin', layers: ['provider-key'], providers: ['openai'] };
