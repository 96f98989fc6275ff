import { z } from 'zod';
import type { SinkSpec } from '../../src/core/adapters.js';
import { openclawCliFields, openclawPaths } from '../spec-helpers.js';

export const openclawAuthProfileSinkConfig = z
  .strictObject({
    kind: z.literal('openclaw-auth-profile'),
    /** the stored profile's id, <provider>:<name>; templates {provider} {agent} {env} */
    profileId: z.string().regex(/^[{}A-Za-z0-9_.-]+:[{}A-Za-z0-9_.:-]+$/, 'a profile id such as anthropic:rekey').default('{provider}:rekey'),
    /** the OpenClaw agent whose store holds the profile; default: the delivery's agent */
    agent: z.string().min(1).optional(),
    ...openclawCliFields,
  })
  .describe('A stored OpenClaw auth profile, through `openclaw models auth paste-api-key` with the key on stdin: no restart.');
export type OpenclawAuthProfileSinkConfig = z.infer<typeof openclawAuthProfileSinkConfig>;

declare module '../../src/core/adapters.js' {
  interface SinkConfigs { 'openclaw-auth-profile': OpenclawAuthProfileSinkConfig }
}

export const openclawAuthProfileSinkSpec: SinkSpec<OpenclawAuthProfileSinkConfig> = {
  kind: 'openclaw-auth-profile',
  layers: ['provider-key'],
  wrongLayer: 'auth profiles hold provider keys, not the Gateway token',
  reads: () => 'profile',
  resolve: (c, tpl) => openclawPaths({ ...c, profileId: tpl.text(c.profileId) }, tpl),
  // the profile lives in OpenClaw's state (SQLite), reached only through its CLI
  touches: (c, t) => ({ files: [], keychainItems: [], profiles: [`${c.agent ?? t.agent}/${c.profileId}`] }),
  describe: (c) => `profile ${c.profileId}`,
  source: (c, t) => ({ kind: 'profile', where: `${c.agent ?? t.agent}/${c.profileId}` }),
};
